/*
 * The sentiment review page's script: connects to the Crowdframe host page through
 * crowdframe-task.js and submits the reviewer's verdict on another worker's answer.
 */
(() => {
  'use strict';

  const form = document.getElementById('verdict');
  const button = document.getElementById('submit');
  const status = document.getElementById('status');
  const reason = document.getElementById('reason');
  const say = (message) => {
    status.textContent = message; // textContent: messages never become markup
  };

  let task = null;
  let sent = false;

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!task || task.mode !== 'work' || sent) return;
    const choice = form.querySelector('input[name="verdict"]:checked');
    if (!choice) {
      say('Choose Right or Wrong first.');
      return;
    }
    button.disabled = true;
    say('Submitting…');
    const verdict = { verdict: choice.value };
    if (reason.value.trim()) verdict.reason = reason.value.trim();
    try {
      await task.submit(verdict);
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
