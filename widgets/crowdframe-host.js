/*
 * crowdframe-host.js: the gateway side of the Crowdframe frame protocol (docs/widgets.md).
 *
 * Loaded with `defer` by the gateway's frame page (`/work/assignments/{aid}`). It talks to the
 * client's task page inside `iframe#cf-task-frame` over postMessage: answers `ready` with `init`,
 * resizes the frame, shows progress and errors, posts the submission to the gateway with the
 * worker's first-party session (CSRF protected), fetches fresh task tokens, relays the task's
 * heartbeats (when the project extends leases on them) and runs the timer.
 *
 * Trust rules: a message is handled only when it comes from the task frame's window AND from the
 * task origin, and every field is validated; anything else is dropped without an answer. Replies
 * go to the task origin only, never "*". Message data reaches the page through textContent only,
 * and the one navigation (after a submission) goes to a same-origin path chosen by the gateway.
 */
(() => {
  'use strict';

  const VERSION = '1';
  const MIN_HEIGHT = 150;
  const MAX_HEIGHT = 20000;
  const MAX_COUNT = 100000;
  const MAX_REQUEST_ID = 100;
  const MAX_RESULT_BYTES = 1000000;
  const MAX_TOKEN_CHARS = 8192;
  const MAX_SHOWN_CHARS = 300;
  const EXPIRING_AT_SECONDS = 60;
  const NAVIGATE_DELAY_MS = 150;
  // At most one heartbeat relayed per this long, however often the task page sends one (it
  // sends one every 30 s); the gateway ignores one that would move the deadline by less than 20 s.
  const HEARTBEAT_RELAY_MS = 20000;

  const debug = (text, detail) => console.debug(`crowdframe-host: ${text}`, detail ?? '');

  const isPlainObject = (value) => {
    if (value === null || typeof value !== 'object') return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  };
  const isRequestId = (v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_REQUEST_ID;
  const isCount = (v) => Number.isInteger(v) && v >= 0 && v <= MAX_COUNT;
  const truncate = (text) => String(text).slice(0, MAX_SHOWN_CHARS);
  const clampHeight = (h) => Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, Math.ceil(h)));
  const pad2 = (n) => String(n).padStart(2, '0');
  // UTF-8 never takes fewer bytes than UTF-16 code units: the cheap test first.
  const tooLarge = (json) =>
    json.length > MAX_RESULT_BYTES || new TextEncoder().encode(json).length > MAX_RESULT_BYTES;

  // A same-origin path chosen by the gateway: "/x", never "//host" nor "/\host" (browsers read a
  // backslash as a slash) nor control characters (the URL parser drops tabs and newlines).
  function sameOriginPath(value) {
    if (typeof value !== 'string' || value.length > 2000) return null;
    if (!/^\/(?![/\\])/.test(value) || /[\u0000-\u001f\u007f\\]/.test(value)) return null;
    let url;
    try {
      url = new URL(value, window.location.origin);
    } catch {
      return null;
    }
    return url.origin === window.location.origin ? url.pathname + url.search + url.hash : null;
  }

  function parseOrigin(value) {
    try {
      const url = new URL(value);
      if ((url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value) {
        return value;
      }
    } catch {
      /* not a URL */
    }
    return null;
  }

  function positiveInt(value) {
    if (typeof value !== 'string' || !/^[0-9]{1,12}$/.test(value)) return null;
    const n = Number(value);
    return n > 0 ? n : null;
  }

  // What the host itself writes on the page, in the page's language (data-texts, a JSON object
  // the workplace renders); English where it is missing or malformed.
  const ENGLISH = {
    submitting: 'Submitting…',
    failed: 'The submission failed',
    unsent: 'The submission could not be sent. Check your connection and try again.',
    submitted: 'Submitted.',
    left: '{time} left',
  };

  function readTexts(value) {
    let given = {};
    try {
      given = JSON.parse(value || '{}');
    } catch {
      given = {};
    }
    const texts = {};
    for (const [key, english] of Object.entries(ENGLISH)) {
      const text = isPlainObject(given) ? given[key] : undefined;
      texts[key] = typeof text === 'string' && text ? text : english;
    }
    return texts;
  }

  function readConfig(frame) {
    const d = frame.dataset;
    const mode = d.mode === 'work' ? 'work' : 'preview';
    return {
      taskOrigin: parseOrigin(d.taskOrigin),
      mode,
      token: d.token || '',
      assignment: d.assignment || '',
      locale: d.locale || '',
      fixedHeight: positiveInt(d.frameHeight), // null means "auto"
      submitUrl: mode === 'work' ? d.submitUrl || null : null,
      tokenUrl: mode === 'work' ? d.tokenUrl || null : null,
      heartbeatUrl: mode === 'work' ? d.heartbeatUrl || null : null,
      csrf: d.csrf || '',
      deadline: positiveInt(d.deadline),
      protocol: d.protocol === 'mturk' ? 'mturk' : 'crowdframe',
      texts: readTexts(d.texts),
    };
  }

  function start() {
    const frame = document.getElementById('cf-task-frame');
    if (!(frame instanceof HTMLIFrameElement)) return debug('no iframe#cf-task-frame');
    const config = readConfig(frame);
    if (!config.taskOrigin) return debug('bad data-task-origin', frame.dataset.taskOrigin);

    const statusEl = document.getElementById('cf-status');
    const timerEl = document.getElementById('cf-timer');
    const progressEl = document.getElementById('cf-progress');
    const state = {
      taskReady: false,
      submitting: false,
      submitted: false,
      tokenRequest: null, // one shared round trip for concurrent token requests
      expiringSent: false,
      lastHeartbeat: 0,
      heartbeatRelayed: 0, // when the last heartbeat went to the gateway (Date.now())
      heartbeatInFlight: false,
      timerId: null,
    };

    // The gateway validated a fixed height (100-10000 px): no minimum here, only the maximum.
    if (config.fixedHeight) frame.style.height = `${Math.min(config.fixedHeight, MAX_HEIGHT)}px`;

    const showStatus = (text) => {
      if (statusEl) statusEl.textContent = truncate(text);
    };

    // The browser drops the message if the frame has navigated away from the task origin.
    const send = (message) =>
      frame.contentWindow?.postMessage({ cf: 1, ...message }, config.taskOrigin);

    async function gatewayPost(url, body) {
      const response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-CSRF-Token': config.csrf,
        },
        body,
      });
      let json = null;
      try {
        json = JSON.parse(await response.text());
      } catch {
        json = null; // a login page after a redirect, a proxy's error page...
      }
      return { ok: response.ok, status: response.status, json };
    }

    function errorText(answer, fallback) {
      const error = isPlainObject(answer.json) ? answer.json.error : null;
      if (isPlainObject(error) && typeof error.message === 'string' && error.message) {
        return truncate(error.message);
      }
      return `${fallback} (HTTP ${answer.status})`;
    }

    // --- one handler per message type, each validating its own fields -----------------------

    function onReady() {
      state.taskReady = true;
      send({
        type: 'init',
        token: config.token,
        mode: config.mode,
        assignment: config.assignment,
        locale: config.locale,
      });
      tick();
    }

    function onResize({ height }) {
      if (typeof height !== 'number' || !Number.isFinite(height) || height < 0) {
        return debug('bad resize', height);
      }
      if (!config.fixedHeight) frame.style.height = `${clampHeight(height)}px`;
    }

    function onProgress({ done, total }) {
      if (!isCount(done) || !isCount(total) || done > total) return debug('bad progress');
      if (progressEl) progressEl.textContent = `${done} / ${total}`;
    }

    // The gateway answers a relayed heartbeat with the assignment's deadline as it is then:
    // later when the project extends leases. The timer follows it, and warns again if needed.
    function moveDeadline(deadline) {
      if (!Number.isInteger(deadline) || deadline <= 0 || deadline === config.deadline) return;
      config.deadline = deadline;
      if (deadline - Date.now() / 1000 > EXPIRING_AT_SECONDS) state.expiringSent = false;
      if (state.timerId === null) state.timerId = setInterval(tick, 1000);
      tick();
    }

    async function relayHeartbeat() {
      state.heartbeatInFlight = true;
      state.heartbeatRelayed = Date.now();
      try {
        const answer = await gatewayPost(config.heartbeatUrl, '{}');
        if (answer.ok && isPlainObject(answer.json)) moveDeadline(answer.json.deadline);
      } catch {
        /* offline for a moment: the next heartbeat tries again */
      } finally {
        state.heartbeatInFlight = false;
      }
    }

    function onHeartbeat() {
      state.lastHeartbeat = Date.now();
      if (!config.heartbeatUrl || state.submitted || state.heartbeatInFlight) return;
      if (state.lastHeartbeat - state.heartbeatRelayed < HEARTBEAT_RELAY_MS) return;
      relayHeartbeat();
    }

    function onError({ message }) {
      if (typeof message !== 'string' || !message) return debug('bad error message');
      showStatus(message);
    }

    async function onSubmit({ request_id: requestId, result }) {
      if (!isRequestId(requestId)) return debug('bad submit request_id');
      const fail = (error) => send({ type: 'submit-failed', request_id: requestId, error });
      if (config.mode !== 'work' || !config.submitUrl) return fail('preview');
      if (state.submitting) return debug('submit ignored: another one is in flight');
      if (state.submitted) return fail('already submitted');
      if (!isPlainObject(result)) return fail('the result must be an object');
      let json;
      try {
        json = JSON.stringify(result);
      } catch {
        return fail('the result is not JSON-serialisable'); // a cycle, a BigInt...
      }
      if (tooLarge(json)) return fail('the result is larger than 1 MB');
      const body = `{"result":${json}}`;

      state.submitting = true;
      showStatus(config.texts.submitting);
      let answer;
      try {
        answer = await gatewayPost(config.submitUrl, body);
      } catch {
        answer = null;
      } finally {
        state.submitting = false;
      }
      if (!answer || !answer.ok || !isPlainObject(answer.json)) {
        const error = answer
          ? errorText(answer, config.texts.failed)
          : config.texts.unsent;
        showStatus(error);
        return fail(error);
      }
      state.submitted = true;
      const next = sameOriginPath(answer.json.next_url);
      send({ type: 'submitted', request_id: requestId, next_url: next });
      showStatus(config.texts.submitted);
      if (next) setTimeout(() => window.location.assign(next), NAVIGATE_DELAY_MS);
    }

    async function fetchToken() {
      try {
        const answer = await gatewayPost(config.tokenUrl, '{}');
        const token = answer.ok && isPlainObject(answer.json) ? answer.json.token : null;
        if (typeof token === 'string' && token && token.length <= MAX_TOKEN_CHARS) return { token };
        return { error: errorText(answer, 'No fresh token') };
      } catch {
        return { error: 'No fresh token: the gateway could not be reached' };
      }
    }

    async function onTokenRequest({ request_id: requestId }) {
      if (!isRequestId(requestId)) return debug('bad token-request request_id');
      let outcome;
      if (!config.tokenUrl) {
        outcome = { error: 'preview' };
      } else {
        if (!state.tokenRequest) {
          state.tokenRequest = fetchToken().finally(() => {
            state.tokenRequest = null;
          });
        }
        outcome = await state.tokenRequest;
      }
      send({ type: 'token', request_id: requestId, ...outcome });
    }

    const handlers = new Map([
      ['ready', onReady],
      ['resize', onResize],
      ['progress', onProgress],
      ['heartbeat', onHeartbeat],
      ['submit', onSubmit],
      ['token-request', onTokenRequest],
      ['error', onError],
    ]);

    // MTurk ExternalQuestion pages post a form to the gateway's /mturk/externalSubmit; its answer
    // page, inside this iframe on the gateway's own origin, names the next step. Only that
    // origin, from this iframe's window, in an mturk frame, and only a same-origin path.
    function onExternalSubmitted(msg) {
      if (config.mode !== 'work' || state.submitted) return;
      const next = sameOriginPath(msg.next_url);
      if (!next) return debug('bad external-submitted next_url');
      state.submitted = true;
      showStatus(config.texts.submitted);
      setTimeout(() => window.location.assign(next), NAVIGATE_DELAY_MS);
    }

    window.addEventListener('message', (event) => {
      // Both checks: the origin alone would trust any window of the task origin (a popup, a
      // sibling frame); the window alone would trust whatever the frame has navigated to.
      if (event.source === null || event.source !== frame.contentWindow) return;
      if (
        config.protocol === 'mturk' &&
        event.origin === window.location.origin &&
        isPlainObject(event.data) &&
        event.data.cf === 1 &&
        event.data.type === 'external-submitted'
      ) {
        return onExternalSubmitted(event.data);
      }
      if (event.origin !== config.taskOrigin) return;
      const msg = event.data;
      if (!isPlainObject(msg) || msg.cf !== 1 || typeof msg.type !== 'string') {
        return debug('ignored a malformed message');
      }
      const handler = handlers.get(msg.type);
      if (!handler) return debug('ignored an unknown message type', msg.type);
      handler(msg);
    });

    // --- timer ------------------------------------------------------------------------------

    function tick() {
      if (!config.deadline) return;
      const left = Math.max(0, Math.ceil(config.deadline - Date.now() / 1000));
      const time = `${pad2(Math.floor(left / 60))}:${pad2(left % 60)}`;
      if (timerEl) timerEl.textContent = config.texts.left.replace('{time}', time);
      // Sent once, and only once the task listens: a page still loading would miss it.
      if (left <= EXPIRING_AT_SECONDS && state.taskReady && !state.expiringSent) {
        state.expiringSent = true;
        send({ type: 'expiring', seconds_left: left });
      }
      if (left === 0 && state.timerId !== null) {
        clearInterval(state.timerId);
        state.timerId = null;
      }
    }

    if (config.deadline) {
      tick();
      state.timerId = setInterval(tick, 1000);
    }
  }

  if (window.CrowdframeHost) return; // loaded twice: the first copy runs the frame
  Object.defineProperty(window, 'CrowdframeHost', {
    value: Object.freeze({ version: VERSION }),
    enumerable: true,
  });

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start, { once: true });
  } else {
    start();
  }
})();
