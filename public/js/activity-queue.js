// Wayfinder's browser-side activity queue. The player page includes it with
// <script src="/static/js/activity-queue.js" data-ltik="…"></script> (or the page URL carries ?ltik=).
// Nothing is lost: every statement sits in localStorage until the server acknowledged it; network
// errors and 5xx/429 are retried with exponential backoff; when the page is hidden the queue is
// also sent with navigator.sendBeacon (which cannot set headers, so the ltik travels in the body).
// Ids and timestamps are fixed when a statement is recorded, so resending is always safe.
(function () {
  'use strict';

  var STORAGE_KEY = 'wayfinder.activity.queue';
  var BATCH = 100;
  var BEACON_BYTES = 60000; // browsers cap beacons at 64 KiB in flight
  var MIN_DELAY = 500;
  var MAX_DELAY = 30000;

  var script = document.currentScript;
  var settings = {
    endpoint: (script && script.dataset.endpoint) || '/api/activity',
    ltik: (script && script.dataset.ltik) || new URLSearchParams(location.search).get('ltik') || '',
  };
  var sending = false;
  var delay = MIN_DELAY;
  var timer = null;

  function load() {
    try {
      return JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]');
    } catch {
      return [];
    }
  }
  function save(queue) {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(queue));
  }
  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  function remove(ids) {
    var gone = {};
    ids.forEach(function (id) { gone[id] = true; });
    save(load().filter(function (e) { return !gone[e.statement.id]; }));
  }
  function notify(name, detail) {
    window.dispatchEvent(new CustomEvent('wayfinder:activity-' + name, { detail: detail }));
  }

  // The entries of the oldest session in the queue: a batch is sent with the ltik it was recorded under.
  function nextBatch() {
    var queue = load();
    if (!queue.length) return null;
    var ltik = queue[0].ltik;
    var entries = queue.filter(function (e) { return e.ltik === ltik; }).slice(0, BATCH);
    return { ltik: ltik, statements: entries.map(function (e) { return e.statement; }) };
  }

  function schedule(ms) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(function () { timer = null; flush(); }, ms);
  }
  function backoff(retryAfterSeconds) {
    var wait = retryAfterSeconds ? Math.max(retryAfterSeconds * 1000, delay) : delay;
    schedule(wait * (0.5 + Math.random() / 2));
    delay = Math.min(delay * 2, MAX_DELAY);
  }

  // Refused for good (invalid, conflicting, or the session is gone): drop them, but loudly.
  function reject(statements, status, message) {
    remove(statements.map(function (s) { return s.id; }));
    console.error('Wayfinder activity refused (' + status + '): ' + message);
    notify('rejected', { status: status, message: message, statements: statements });
  }

  function send(batch) {
    return fetch(settings.endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + batch.ltik },
      body: JSON.stringify({ statements: batch.statements }),
    });
  }

  function flush() {
    if (sending) return Promise.resolve();
    var batch = nextBatch();
    if (!batch) {
      notify('drained', {});
      return Promise.resolve();
    }
    sending = true;
    return send(batch)
      .then(function (res) {
        if (res.ok) {
          remove(batch.statements.map(function (s) { return s.id; }));
          delay = MIN_DELAY;
          notify('stored', { count: batch.statements.length });
          return true;
        }
        if (res.status >= 500 || res.status === 429) {
          backoff(Number(res.headers.get('Retry-After')) || 0);
          return false;
        }
        return res.json().catch(function () { return {}; }).then(function (body) {
          var message = (body.error && body.error.message) || res.statusText;
          if (res.status === 413 || ((res.status === 400 || res.status === 409) && batch.statements.length > 1)) {
            // Find the culprit: resend one at a time (same ids, so the good ones are stored once).
            return sendOneByOne(batch).then(function () { return true; });
          }
          reject(batch.statements, res.status, message);
          return true;
        });
      })
      .catch(function () {
        backoff(0); // network error: the server may or may not have stored it; the retry is idempotent
        return false;
      })
      .then(function (progressed) {
        sending = false;
        if (progressed) schedule(0);
      });
  }

  function sendOneByOne(batch) {
    return batch.statements.reduce(function (done, statement) {
      return done.then(function () {
        return send({ ltik: batch.ltik, statements: [statement] }).then(function (res) {
          if (res.ok) return remove([statement.id]);
          if (res.status >= 500 || res.status === 429) throw new Error('retry later');
          return res.json().catch(function () { return {}; }).then(function (body) {
            reject([statement], res.status, (body.error && body.error.message) || res.statusText);
          });
        });
      });
    }, Promise.resolve());
  }

  // Hidden pages may never run another timer: hand the queue to the browser. Entries stay queued
  // until a normal POST is acknowledged, since a beacon's delivery is never confirmed.
  function beacon() {
    if (!navigator.sendBeacon) return;
    var queue = load();
    var chunk = [];
    var ltik = null;
    var size = 0;
    function ship() {
      if (chunk.length) navigator.sendBeacon(settings.endpoint, new Blob([JSON.stringify({ ltik: ltik, statements: chunk })], { type: 'text/plain' }));
      chunk = [];
      size = 0;
    }
    for (var i = 0; i < queue.length; i++) {
      var text = JSON.stringify(queue[i].statement);
      if (queue[i].ltik !== ltik || size + text.length > BEACON_BYTES || chunk.length >= BATCH) ship();
      ltik = queue[i].ltik;
      chunk.push(queue[i].statement);
      size += text.length + 1;
    }
    ship();
  }

  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') beacon();
    else flush();
  });
  window.addEventListener('pagehide', beacon);
  window.addEventListener('online', function () { delay = MIN_DELAY; flush(); });

  window.WayfinderActivity = {
    /** Queues a statement ({ verb: viewed|attempted|skipped, object, result?, context? }); returns its id. */
    record: function (statement) {
      var s = Object.assign({}, statement, { id: statement.id || uuid(), timestamp: statement.timestamp || new Date().toISOString() });
      if (!settings.ltik) throw new Error('WayfinderActivity: no launch session (ltik) on this page');
      var queue = load();
      queue.push({ ltik: settings.ltik, statement: s });
      save(queue);
      schedule(0);
      return s.id;
    },
    /** Statements not yet acknowledged by the server. */
    pending: function () {
      return load().length;
    },
    flush: flush,
    configure: function (o) {
      if (o.ltik) settings.ltik = o.ltik;
      if (o.endpoint) settings.endpoint = o.endpoint;
    },
  };

  if (load().length) schedule(0); // statements left over from an earlier page
})();
