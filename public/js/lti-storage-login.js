// Login through platform storage: state and nonce go to the platform's window under keys that
// contain them, then the browser continues to the platform's auth endpoint.
(function () {
  'use strict';
  var s = window.LtiStorage;
  var d = s.data();
  var frame = s.frameFor(d.target);
  Promise.all([s.put(frame, d.origin, 'state_' + d.state, d.state), s.put(frame, d.origin, 'nonce_' + d.nonce, d.nonce)])
    .then(function () {
      document.getElementById('storage-continue').submit();
    })
    .catch(s.fail);
})();
