// The state cookie did not come back: detect platform storage with lti.capabilities and start the
// launch again through it; otherwise explain and offer the new-window launch.
(function () {
  'use strict';
  var s = window.LtiStorage;
  var d = s.data();
  s.capabilities()
    .then(function (target) {
      if (!target) throw new Error('no_platform_storage');
      window.location.assign(d.restartUrl + '&lti_storage_target=' + encodeURIComponent(target));
    })
    .catch(s.fail);
})();
