// Copy buttons for the admin console: shown only when the Clipboard API is there (the URLs stay
// selectable text without it); the result is announced through a status region.
(function () {
  'use strict';
  if (!navigator.clipboard) return;
  var status = document.getElementById('copy-status');
  document.querySelectorAll('button.copy[data-copy]').forEach(function (button) {
    var source = document.getElementById(button.getAttribute('data-copy'));
    if (!source) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) status.textContent = status.getAttribute('data-copied');
      });
    });
  });
})();
