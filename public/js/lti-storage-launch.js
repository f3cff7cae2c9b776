// Launch through platform storage: the platform must give back the state and nonce stored at
// login for exactly this launch; only then is the launch completed (once) on the server.
(function () {
  'use strict';
  var s = window.LtiStorage;
  var d = s.data();
  var frame = s.frameFor(d.target);
  Promise.all([s.check(frame, d.origin, 'state_' + d.state, d.state), s.check(frame, d.origin, 'nonce_' + d.nonce, d.nonce)])
    .then(function () {
      document.getElementById('storage-continue').submit();
    })
    .catch(s.fail);
})();
