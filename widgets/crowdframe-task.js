/*
 * crowdframe-task.js: the task-page side of the Crowdframe frame protocol (docs/widgets.md).
 *
 * Loaded by the client's task page, which the gateway shows inside an iframe:
 *
 *   <script src="https://gateway.example/widgets/crowdframe-task.js"></script>
 *   const task = await Crowdframe.connect();
 *   task.progress(1, 3);
 *   await task.submit({ label: 'positive' }); // the gateway then opens the next task
 *
 * The host origin is the `iss` claim of the launch token (`cf_token` in the URL), read without
 * verifying the signature (only the client's server can verify it). Messages are accepted only
 * from the parent window AND the host origin, replies are matched by request_id, and everything
 * is sent to the host origin only, never "*".
 */
(() => {
  'use strict';

  if (window.Crowdframe) return; // loaded twice: keep the first copy and its connection

  const VERSION = '1';
  const INIT_TIMEOUT_MS = 10000;
  const READY_RETRY_MAX_MS = 1000;
  const TOKEN_TIMEOUT_MS = 15000;
  const SUBMIT_TIMEOUT_MS = 60000;
  const HEARTBEAT_MS = 30000;
  const FALLBACK_FRAME_MS = 200; // requestAnimationFrame does not run in a hidden frame
  const MAX_TOKEN_CHARS = 8192;
  const MAX_COUNT = 100000;
  const MAX_RESULT_BYTES = 1000000;
  const MAX_TEXT_CHARS = 300;

  class CrowdframeError extends Error {
    constructor(message) {
      super(message);
      this.name = 'CrowdframeError';
    }
  }

  const isPlainObject = (value) => {
    if (value === null || typeof value !== 'object') return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  };
  const isString = (v, max) => typeof v === 'string' && v.length <= max;
  const isToken = (v) => isString(v, MAX_TOKEN_CHARS) && v.length > 0;
  const isCount = (v) => Number.isInteger(v) && v >= 0 && v <= MAX_COUNT;

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

  function newRequestId() {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)]
      .join('-');
  }

  // An itsdangerous token is `<base64url payload>.<timestamp>.<signature>`. The gateway never
  // compresses the payload (a compressed one would start with "."), so the first segment is JSON.
  function decodeClaims(token) {
    const malformed = () => new CrowdframeError('Crowdframe: malformed task token');
    const first = token.split('.')[0];
    if (!first || !/^[A-Za-z0-9_-]+$/.test(first)) throw malformed();
    const b64 = first.replace(/-/g, '+').replace(/_/g, '/');
    let claims;
    try {
      const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
      const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      claims = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw malformed();
    }
    if (!isPlainObject(claims) || typeof claims.iss !== 'string') throw malformed();
    return Object.freeze(claims);
  }

  // --- launch parameters ----------------------------------------------------------------------

  // Read once: cf_token leaves the address bar (history, screenshots, copied links) at once.
  let launch = null;
  function readLaunch() {
    if (launch) return launch;
    const params = new URLSearchParams(window.location.search);
    launch = {
      token: params.get('cf_token') || '',
      mode: params.get('cf_mode') || '',
      origin: params.get('cf_origin') || '',
    };
    if (params.has('cf_token')) removeTokenFromAddressBar();
    return launch;
  }

  function removeTokenFromAddressBar() {
    // Filter the raw pairs rather than re-serialise, so the other parameters stay byte-exact.
    const kept = window.location.search
      .slice(1)
      .split('&')
      .filter((pair) => {
        if (!pair) return false;
        try {
          return decodeURIComponent(pair.split('=')[0].replace(/\+/g, ' ')) !== 'cf_token';
        } catch {
          return true;
        }
      });
    const { pathname, hash } = window.location;
    const url = pathname + (kept.length ? `?${kept.join('&')}` : '') + hash;
    try {
      window.history.replaceState(window.history.state, '', url);
    } catch {
      /* an opaque-origin document cannot rewrite its URL */
    }
  }

  // Where the page runs decides who it may talk to: the issuer of its token, as its embedder.
  function checkPlacement({ token, origin: cfOrigin }) {
    if (window.parent === window) {
      throw new CrowdframeError('Crowdframe: this page is not inside the Crowdframe frame');
    }
    if (!token) throw new CrowdframeError('Crowdframe: no cf_token in the page URL');
    const claims = decodeClaims(token);
    const hostOrigin = parseOrigin(claims.iss);
    if (!hostOrigin) throw new CrowdframeError('Crowdframe: the task token names no host origin');
    if (cfOrigin && cfOrigin !== hostOrigin) {
      throw new CrowdframeError(
        `Crowdframe: cf_origin ${cfOrigin} is not the token issuer ${hostOrigin}`
      );
    }
    const ancestors = window.location.ancestorOrigins; // Chromium and Safari only
    const embedder = ancestors && ancestors.length > 0 ? ancestors[0] : null;
    // "null" is what a browser reports when it hides the embedder: no evidence either way.
    if (embedder && embedder !== 'null' && embedder !== hostOrigin) {
      throw new CrowdframeError(
        `Crowdframe: this page is framed by ${embedder}, not ${hostOrigin}`
      );
    }
    return { claims, hostOrigin };
  }

  // --- the channel to the host page -----------------------------------------------------------

  function openChannel(hostOrigin) {
    const pending = new Map(); // request_id -> { kind, settle(reply) }
    let onInit = null;

    const post = (message) => window.parent.postMessage({ cf: 1, ...message }, hostOrigin);

    function onMessage(event) {
      if (event.source === null || event.source !== window.parent) return;
      if (event.origin !== hostOrigin) return;
      const msg = event.data;
      if (!isPlainObject(msg) || msg.cf !== 1 || typeof msg.type !== 'string') return;
      switch (msg.type) {
        case 'init':
          if (onInit) onInit(msg);
          break;
        case 'submitted':
        case 'submit-failed':
        case 'token': {
          const entry = typeof msg.request_id === 'string' ? pending.get(msg.request_id) : null;
          const kind = msg.type === 'token' ? 'token' : 'submit';
          if (entry && entry.kind === kind) entry.settle(msg);
          break;
        }
        case 'expiring': {
          const left = msg.seconds_left;
          if (!Number.isInteger(left) || left < 0 || left > 86400) return;
          const detail = { seconds_left: left };
          window.dispatchEvent(new CustomEvent('crowdframe:expiring', { detail }));
          break;
        }
        default:
      }
    }
    window.addEventListener('message', onMessage);

    // `ready` is repeated until `init` comes: the host widget may not be listening yet.
    function handshake() {
      return new Promise((resolve, reject) => {
        const timers = [];
        const finish = () => {
          onInit = null;
          timers.forEach(clearTimeout);
        };
        onInit = (msg) => {
          if (!isString(msg.token, MAX_TOKEN_CHARS)) return;
          if (msg.mode !== 'work' && msg.mode !== 'preview') return;
          if (!isString(msg.assignment, 200) || !isString(msg.locale, 35)) return;
          finish();
          resolve(msg);
        };
        timers.push(
          setTimeout(() => {
            finish();
            window.removeEventListener('message', onMessage);
            reject(new CrowdframeError('Crowdframe: the host page did not answer within 10 s'));
          }, INIT_TIMEOUT_MS)
        );
        post({ type: 'ready' });
        let at = 0;
        for (let delay = 100; at + delay < INIT_TIMEOUT_MS; ) {
          at += delay;
          timers.push(setTimeout(() => post({ type: 'ready' }), at));
          delay = Math.min(2 * delay, READY_RETRY_MAX_MS);
        }
      });
    }

    function request(kind, message, timeoutMs) {
      const requestId = newRequestId();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(requestId);
          const seconds = timeoutMs / 1000;
          reject(new CrowdframeError(`Crowdframe: no answer to ${message.type} in ${seconds} s`));
        }, timeoutMs);
        pending.set(requestId, {
          kind,
          settle: (reply) => {
            clearTimeout(timer);
            pending.delete(requestId);
            resolve(reply);
          },
        });
        post({ ...message, request_id: requestId });
      });
    }

    return { post, handshake, request };
  }

  // --- auto-resize ----------------------------------------------------------------------------

  // The content height: the root box, or the scrolled extent when content overflows a root
  // sized to the viewport. scrollHeight alone never goes below the frame's current height, so
  // the frame could grow but never shrink.
  function contentHeight() {
    const root = document.documentElement;
    const box = root.getBoundingClientRect().height;
    const overflow = root.scrollHeight > root.clientHeight ? root.scrollHeight : 0;
    return Math.ceil(Math.max(box, overflow));
  }

  function startAutoResize(report) {
    let scheduled = false;
    let last = -1;
    const run = () => {
      if (!scheduled) return;
      scheduled = false;
      const height = contentHeight();
      if (height !== last) {
        last = height;
        report(height);
      }
    };
    const schedule = () => {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(run);
      setTimeout(run, FALLBACK_FRAME_MS);
    };
    if (typeof ResizeObserver === 'function') {
      const observer = new ResizeObserver(schedule);
      observer.observe(document.documentElement);
      const observeBody = () => document.body && observer.observe(document.body);
      if (document.body) observeBody();
      else document.addEventListener('DOMContentLoaded', observeBody, { once: true });
    }
    window.addEventListener('load', schedule);
    schedule();
  }

  // --- the task object ------------------------------------------------------------------------

  async function open(options) {
    const params = readLaunch();
    const { claims: urlClaims, hostOrigin } = checkPlacement(params);
    const channel = openChannel(hostOrigin);
    const init = await channel.handshake();

    const claimsOf = (token) => {
      try {
        return decodeClaims(token);
      } catch {
        return urlClaims;
      }
    };
    const token = init.token || params.token;
    const current = { token, claims: claimsOf(token) };
    const mode = init.mode || params.mode;
    let submitting = false;
    let submitted = false;

    const replyError = (reply, fallback) => {
      const text = typeof reply.error === 'string' && reply.error ? reply.error : fallback;
      return new CrowdframeError(text.slice(0, MAX_TEXT_CHARS));
    };

    async function submit(result) {
      if (mode !== 'work') throw new CrowdframeError('preview');
      if (submitted) throw new CrowdframeError('already submitted');
      if (submitting) throw new CrowdframeError('a submission is already in progress');
      if (result === null || typeof result !== 'object' || Array.isArray(result)) {
        throw new TypeError('Crowdframe: submit() takes a JSON object');
      }
      // Send what the gateway will store, JSON, rather than whatever structured clone carries.
      const json = JSON.stringify(result);
      const clean = JSON.parse(json);
      if (!isPlainObject(clean)) throw new TypeError('Crowdframe: submit() takes a JSON object');
      if (new TextEncoder().encode(json).length > MAX_RESULT_BYTES) {
        throw new RangeError('Crowdframe: the result is larger than 1 MB');
      }
      submitting = true;
      try {
        const reply = await channel.request(
          'submit',
          { type: 'submit', result: clean },
          SUBMIT_TIMEOUT_MS
        );
        if (reply.type !== 'submitted') throw replyError(reply, 'the submission failed');
        submitted = true;
        return { next_url: typeof reply.next_url === 'string' ? reply.next_url : null };
      } finally {
        submitting = false;
      }
    }

    async function getToken() {
      const reply = await channel.request('token', { type: 'token-request' }, TOKEN_TIMEOUT_MS);
      if (!isToken(reply.token)) throw replyError(reply, 'no fresh token');
      current.token = reply.token;
      current.claims = claimsOf(reply.token);
      return reply.token;
    }

    function progress(done, total) {
      if (!isCount(done) || !isCount(total) || done > total) {
        throw new RangeError(
          'Crowdframe: progress(done, total) takes integers, 0 <= done <= total <= 100000'
        );
      }
      channel.post({ type: 'progress', done, total });
    }

    const resize = () => channel.post({ type: 'resize', height: contentHeight() });
    const heartbeat = () => channel.post({ type: 'heartbeat' });
    const showError = (message) =>
      channel.post({ type: 'error', message: String(message).slice(0, MAX_TEXT_CHARS) || 'error' });

    if (options.autoResize !== false) {
      startAutoResize((height) => channel.post({ type: 'resize', height }));
    }
    setInterval(() => {
      if (document.visibilityState === 'visible') heartbeat();
    }, HEARTBEAT_MS);

    return Object.freeze({
      get token() {
        return current.token;
      },
      get claims() {
        return current.claims;
      },
      mode,
      assignment: init.assignment,
      locale: init.locale,
      submit,
      getToken,
      progress,
      resize,
      heartbeat,
      showError,
    });
  }

  let connection = null;

  /**
   * Connect to the Crowdframe host page. Resolves with the task object; rejects with a
   * CrowdframeError when the page is not inside the gateway's frame or the host does not answer.
   * Calling it again returns the same promise (or tries again after a failure).
   */
  function connect(options) {
    if (!connection) {
      connection = open(options || {});
      connection.catch(() => {
        connection = null;
      });
    }
    return connection;
  }

  Object.defineProperty(window, 'Crowdframe', {
    value: Object.freeze({ connect, version: VERSION, CrowdframeError }),
    enumerable: true,
  });
})();
