// After an answer is checked, move focus to the feedback so screen readers announce it and
// keyboard users continue from there.
(function () {
  var feedback = document.getElementById('feedback');
  if (feedback) feedback.focus();
})();
