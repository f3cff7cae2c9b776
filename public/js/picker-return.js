// Deep Linking: hand the signed response straight back to the LMS, as platforms expect.
(function () {
  var form = document.getElementById('deep-link-return');
  if (form) form.submit();
})();
