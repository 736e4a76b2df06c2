/*
 * The sentiment task page's script: connects to the Crowdframe host page through
 * crowdframe-task.js (loaded just before this file from the gateway) and submits the answer.
 * The page itself is rendered by the server; this only wires the button.
 */
(() => {
  'use strict';

  const form = document.getElementById('answer');
  const button = document.getElementById('submit');
  const status = document.getElementById('status');
  const textId = form.dataset.textId;
  const say = (message) => {
    status.textContent = message; // textContent: messages never become markup
  };

  let task = null;
  let sent = false;

  // Until connected (and always in preview) the form must not submit itself to /task.
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!task || task.mode !== 'work' || sent) return;
    const choice = form.querySelector('input[name="sentiment"]:checked');
    if (!choice) {
      say('Choose Positive, Neutral or Negative first.');
      return;
    }
    button.disabled = true;
    say('Submitting…');
    try {
      await task.submit({ sentiment: choice.value, text_id: textId });
      sent = true;
      form.querySelectorAll('input').forEach((input) => {
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
