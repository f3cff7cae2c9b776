/* global window, document */
// The dev LMS's platform storage (1EdTech LTI client-side OIDC + postMessage storage, v0.1): the
// launcher page is the parent frame of the tool's iframe and keeps `lti.put_data` values in memory,
// per origin of the frame that stored them, for the life of the page (one launch). It answers
// `lti.capabilities`, `lti.put_data` and `lti.get_data`; the launcher loads it only when platform
// storage is switched on.
(function () {
  'use strict';
  var PREFIX = 'org.imsglobal.';
  var MAX_ENTRIES_PER_ORIGIN = 500;
  var MAX_VALUE_LENGTH = 4096;
  var store = new Map(); // origin -> Map(key -> value)

  // Accept both `lti.put_data` and `org.imsglobal.lti.put_data`; answer in the caller's form.
  function split(subject) {
    if (typeof subject !== 'string') return null;
    var prefixed = subject.indexOf(PREFIX) === 0;
    return { name: prefixed ? subject.slice(PREFIX.length) : subject, prefix: prefixed ? PREFIX : '' };
  }

  function reply(event, s, body) {
    var msg = Object.assign({ subject: s.prefix + s.name + '.response', message_id: event.data.message_id }, body);
    event.source.postMessage(msg, event.origin);
  }

  function fail(event, s, code, message) {
    reply(event, s, { error: { code: code, message: message } });
  }

  function capabilities(prefix) {
    return ['lti.capabilities', 'lti.put_data', 'lti.get_data'].map(function (name) {
      return name === 'lti.capabilities' ? { subject: prefix + name } : { subject: prefix + name, frame: '_parent' };
    });
  }

  window.addEventListener('message', function (event) {
    var data = event.data;
    if (!data || typeof data !== 'object' || !event.source) return;
    var s = split(data.subject);
    if (!s || s.name.slice(-9) === '.response') return;
    if (typeof data.message_id !== 'string' && typeof data.message_id !== 'number') return;
    if (s.name === 'lti.capabilities') return reply(event, s, { supported_messages: capabilities(s.prefix) });
    if (s.name !== 'lti.put_data' && s.name !== 'lti.get_data') {
      return fail(event, s, 'unsupported_subject', 'The dev LMS does not handle ' + data.subject + '.');
    }
    if (typeof data.key !== 'string' || data.key === '') return fail(event, s, 'bad_request', 'key is missing.');
    var mine = store.get(event.origin) || new Map();
    store.set(event.origin, mine);
    if (s.name === 'lti.get_data') {
      if (!mine.has(data.key)) return fail(event, s, 'bad_request', 'Nothing is stored under ' + data.key + '.');
      return reply(event, s, { key: data.key, value: mine.get(data.key) });
    }
    if (typeof data.value !== 'string' || data.value.length > MAX_VALUE_LENGTH) {
      return fail(event, s, 'bad_request', 'value must be a string of at most ' + MAX_VALUE_LENGTH + ' characters.');
    }
    if (!mine.has(data.key) && mine.size >= MAX_ENTRIES_PER_ORIGIN) {
      return fail(event, s, 'storage_exhausted', 'This origin already stores ' + MAX_ENTRIES_PER_ORIGIN + ' values.');
    }
    mine.set(data.key, data.value);
    reply(event, s, { key: data.key, value: data.value });
  });
  var status = document.getElementById('platform-storage-status');
  if (status) status.textContent = 'Platform storage is answering lti.put_data and lti.get_data in this page.';
})();
