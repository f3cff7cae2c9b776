// Live training progress: follows the job's server-sent events and moves the <progress> bar.
// Texts come from data- attributes (translated on the server); {epoch}, {epochs}, {auc},
// {version} and {message} are filled in here.
(function () {
  'use strict';
  var box = document.getElementById('training');
  if (!box || !window.EventSource) return;
  var bar = document.getElementById('train-progress');
  var status = document.getElementById('train-status');
  var doneLink = document.getElementById('train-done-link');
  var reload = box.querySelector('.noscript-only');
  if (reload) reload.hidden = true;
  var fill = function (text, values) {
    return text.replace(/\{(\w+)\}/g, function (m, name) { return name in values ? String(values[name]) : m; });
  };
  var source = new EventSource(box.getAttribute('data-events'));
  var statuses = JSON.parse(box.getAttribute('data-statuses') || '{}');
  source.addEventListener('status', function (e) {
    var d = JSON.parse(e.data);
    status.textContent = statuses[d.status] || d.status;
  });
  source.addEventListener('epoch', function (e) {
    var d = JSON.parse(e.data);
    bar.max = d.epochs;
    bar.value = d.epoch;
    status.textContent = fill(box.getAttribute('data-epoch-text'), { epoch: d.epoch, epochs: d.epochs, auc: d.validAuc.toFixed(3) });
  });
  source.addEventListener('done', function (e) {
    var d = JSON.parse(e.data);
    bar.value = bar.max;
    status.textContent = fill(box.getAttribute('data-done-text'), { version: d.version });
    var a = doneLink.querySelector('a');
    a.href = a.href.replace(/version=[^&#]*/, 'version=' + encodeURIComponent(d.version));
    doneLink.hidden = false;
    source.close();
  });
  source.addEventListener('failed', function (e) {
    status.textContent = fill(box.getAttribute('data-failed-text'), { message: JSON.parse(e.data).message });
    source.close();
  });
})();
