// Content upload: read the chosen file into the form (no multipart needed) and pick its format.
(function () {
  var file = document.getElementById('file');
  var text = document.getElementById('content');
  if (!file || !text) return;
  file.addEventListener('change', function () {
    var f = file.files && file.files[0];
    if (!f) return;
    f.text().then(function (content) {
      text.value = content;
      var csv = /\.csv$/i.test(f.name);
      document.getElementById(csv ? 'format-csv' : 'format-json').checked = true;
    });
  });
  var problems = document.getElementById('problems');
  if (problems) problems.focus();
})();
