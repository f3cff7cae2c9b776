// Question-bank import on the teacher's content page: a file chosen or dropped is sent (base64 in
// JSON) for a dry run; the server's preview fragment is shown; "Import" sends it again with the
// teacher's skill names. Everything works from the keyboard through the file input and buttons.
(function () {
  var section = document.getElementById('bank');
  var input = document.getElementById('bank-file');
  var drop = document.getElementById('bank-drop');
  var out = document.getElementById('bank-result');
  var busy = document.getElementById('bank-busy');
  if (!section || !input || !out) return;
  var ltik = section.getAttribute('data-ltik');
  var chosen = null; // { name, base64 }

  function base64(buffer) {
    var bytes = new Uint8Array(buffer);
    var chunks = [];
    for (var i = 0; i < bytes.length; i += 0x8000) chunks.push(String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000)));
    return btoa(chunks.join(''));
  }

  function send(dryRun) {
    var skillNames = {};
    var inputs = out.querySelectorAll('#bank-skills input[data-source]');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value.trim()) skillNames[inputs[i].getAttribute('data-source')] = inputs[i].value.trim();
    }
    busy.hidden = false;
    return fetch('/teacher/content/bank', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'text/html', Authorization: 'Bearer ' + ltik },
      body: JSON.stringify({ file: chosen.base64, fileName: chosen.name, dryRun: dryRun, skillNames: skillNames }),
    })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        busy.hidden = true;
        out.innerHTML = html;
        var heading = document.getElementById('bank-heading') || out.querySelector('h1, h2, h3');
        if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
        var confirm = document.getElementById('bank-confirm');
        if (confirm) confirm.addEventListener('click', function () { confirm.disabled = true; send(false); });
      });
  }

  function take(file) {
    if (!file) return;
    file.arrayBuffer().then(function (buffer) {
      chosen = { name: file.name, base64: base64(buffer) };
      send(true);
    });
  }

  input.addEventListener('change', function () { take(input.files && input.files[0]); });
  ['dragenter', 'dragover'].forEach(function (type) {
    drop.addEventListener(type, function (e) { e.preventDefault(); drop.classList.add('over'); });
  });
  drop.addEventListener('dragleave', function () { drop.classList.remove('over'); });
  drop.addEventListener('drop', function (e) {
    e.preventDefault();
    drop.classList.remove('over');
    take(e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0]);
  });
})();
