/*
 * The sentiment example's page script, for the task page and the crowd review page alike:
 * connects to the Crowdframe host page through crowdframe-task.js (loaded just before this
 * file from the gateway) and submits the chosen answer. The page is rendered by the server;
 * the form says what it submits:
 *   data-field   the result field the checked radio button fills (sentiment, verdict)
 *   data-choose  what to say when nothing is checked
 *   data-text-id (optional) sent as text_id
 * and a #reason text field, if there is one, is sent as reason when not empty.
 */
(() => {
  'use strict';

  const form = document.querySelector('form[data-field]');
  const button = document.getElementById('submit');
  const status = document.getElementById('status');
  const reason = document.getElementById('reason');
  const { field, choose, textId } = form.dataset;
  const say = (message) => {
    status.textContent = message; // textContent: messages never become markup
  };

  let task = null;
  let sent = false;

  // Until connected (and always in preview) the form must not submit itself to the page.
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!task || task.mode !== 'work' || sent) return;
    const choice = form.querySelector(`input[name="${field}"]:checked`);
    if (!choice) {
      say(choose);
      return;
    }
    button.disabled = true;
    say('Submitting…');
    const result = { [field]: choice.value };
    if (textId) result.text_id = textId;
    if (reason && reason.value.trim()) result.reason = reason.value.trim();
    try {
      await task.submit(result);
      sent = true;
      form.querySelectorAll('input, textarea').forEach((input) => {
        input.disabled = true;
      });
      say('Submitted');
    } catch (error) {
      say(`Not submitted: ${error && error.message ? error.message : error}`);
      button.disabled = false;
    }
  });

  if (!window.Crowdframe) {
    say('The Crowdframe widget did not load; reload the task.');
    return;
  }
  window.Crowdframe.connect().then(
    (connected) => {
      task = connected;
      if (task.mode === 'work') button.disabled = false;
    },
    (error) => say(error && error.message ? error.message : String(error))
  );
})();
