/*
 * external-submitted.js: the answer page of POST /mturk/externalSubmit, shown inside the frame
 * page's iframe on the gateway's own origin, tells the frame page where the worker goes next.
 * crowdframe-host.js accepts this message only from its iframe's window and the gateway's origin.
 */
(() => {
  'use strict';
  const answer = document.getElementById('cf-answer');
  const next = answer ? answer.dataset.nextUrl : '';
  if (!next || window.parent === window) return;
  window.parent.postMessage(
    { cf: 1, type: 'external-submitted', next_url: next },
    window.location.origin,
  );
})();
