/*
 * submitted.js: the confirmation after a submit (templates/submitted.html). A live region is
 * read when its text changes, not when the page loads with it: the confirmation's text goes
 * into the region once the page is up. The focus goes to the new task, or, when none follows,
 * to the confirmation itself.
 */
(() => {
  'use strict';
  const box = document.getElementById('cf-submitted');
  const live = document.getElementById('cf-submitted-status');
  if (!box) return;
  const frame = document.getElementById('cf-task-frame');
  if (box.dataset.focus === 'task' && frame) frame.focus();
  else box.focus();
  if (live) {
    const parts = box.querySelectorAll('h2, p');
    const said = Array.from(parts, (el) => el.textContent.replace(/\s+/g, ' ').trim());
    setTimeout(() => { live.textContent = said.filter(Boolean).join(' '); }, 100);
  }
})();
