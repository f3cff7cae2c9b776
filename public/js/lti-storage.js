// LTI platform storage, the tool's side (1EdTech client-side OIDC and postMessage storage, v0.1):
// request/response over postMessage with the platform's window, shared by the login, launch and
// cookie check pages. Replies are matched by message_id and subject (plain or `org.imsglobal.`
// prefixed) and, for stored data, must come from the platform's OIDC auth origin.
(function () {
  'use strict';
  var PREFIX = 'org.imsglobal.';
  // A platform answers in milliseconds; the margin is for slow devices and busy machines. The
  // capabilities probe waits less, since a parent without storage never answers it.
  var TIMEOUT_MS = 10000;
  var PROBE_TIMEOUT_MS = 5000;

  function plain(subject) {
    return typeof subject === 'string' && subject.indexOf(PREFIX) === 0 ? subject.slice(PREFIX.length) : subject;
  }

  function messageId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    return String(Date.now()) + Math.random().toString(16).slice(2);
  }

  /** The window named by lti_storage_target: `_parent`, `_top`, or a frame of the parent (Canvas). */
  function frameFor(target) {
    if (window.parent === window) return null;
    if (target === '_parent') return window.parent;
    if (target === '_top') return window.top;
    try {
      return window.parent.frames[target] || window.top.frames[target] || null;
    } catch {
      // A cross-origin parent that hides its frames: no storage frame to use.
      return null;
    }
  }

  /**
   * Sends `subject` with `fields` to `frame` and resolves with the reply. `origin` is both where the
   * message may go and the only origin whose reply is read; `'*'` only for lti.capabilities, whose
   * answer names frames and carries no data (Canvas answers it from another origin than storage).
   */
  function request(frame, origin, subject, fields, timeoutMs) {
    return new Promise(function (resolve, reject) {
      if (!frame) return reject(new Error('no_frame'));
      var id = messageId();
      var timer = setTimeout(function () {
        stop();
        reject(new Error('timeout'));
      }, timeoutMs || TIMEOUT_MS);
      function stop() {
        clearTimeout(timer);
        window.removeEventListener('message', onMessage);
      }
      function onMessage(event) {
        if (origin !== '*' && event.origin !== origin) return;
        var d = event.data;
        if (!d || typeof d !== 'object' || d.message_id !== id) return;
        if (plain(d.subject) !== plain(subject) + '.response') return;
        stop();
        if (d.error) reject(new Error(String(d.error.code || 'error') + ': ' + String(d.error.message || '')));
        else resolve(d);
      }
      window.addEventListener('message', onMessage);
      frame.postMessage(Object.assign({ subject: subject, message_id: id }, fields), origin);
    });
  }

  /** Stores value under key and checks the platform acknowledged that key. */
  function put(frame, origin, key, value) {
    return request(frame, origin, 'lti.put_data', { key: key, value: value }).then(function (d) {
      if (d.key !== key) throw new Error('wrong_key');
    });
  }

  /** Reads key back and resolves only if it holds exactly `expected`. */
  function check(frame, origin, key, expected) {
    return request(frame, origin, 'lti.get_data', { key: key }).then(function (d) {
      if (d.key !== key || d.value !== expected) throw new Error('mismatch');
    });
  }

  /** The frame to use for put_data and get_data if the parent supports both, else null. */
  function capabilities() {
    return request(frameFor('_parent'), '*', 'lti.capabilities', {}, PROBE_TIMEOUT_MS).then(function (d) {
      var list = Array.isArray(d.supported_messages) ? d.supported_messages : [];
      var find = function (name) {
        return list.filter(function (m) {
          return m && plain(m.subject) === name;
        })[0];
      };
      var putData = find('lti.put_data');
      if (!putData || !find('lti.get_data')) return null;
      return typeof putData.frame === 'string' && /^[\w.-]{1,64}$/.test(putData.frame) ? putData.frame : '_parent';
    });
  }

  /** Swaps the "working" panel for the explanation and its new-window launch, and says why. */
  function fail(err) {
    document.getElementById('storage-working').hidden = true;
    var panel = document.getElementById('storage-failed');
    panel.hidden = false;
    document.getElementById('storage-failed-reason').textContent = '(' + String((err && err.message) || err) + ')';
    document.getElementById('storage-failed-title').focus();
  }

  function data() {
    return document.getElementById('lti-storage').dataset;
  }

  /**
   * The login and launch pages' one step: `step` (put or check) on the page's state and nonce,
   * each under a key that contains it, in the platform's frame; then the page's continue form is
   * submitted, or on any failure the reason shown.
   */
  function stateAndNonce(step) {
    var d = data();
    var frame = frameFor(d.target);
    Promise.all([step(frame, d.origin, 'state_' + d.state, d.state), step(frame, d.origin, 'nonce_' + d.nonce, d.nonce)])
      .then(function () {
        document.getElementById('storage-continue').submit();
      })
      .catch(fail);
  }

  window.LtiStorage = {
    put: put,
    check: check,
    capabilities: capabilities,
    fail: fail,
    data: data,
    stateAndNonce: stateAndNonce,
  };
})();
