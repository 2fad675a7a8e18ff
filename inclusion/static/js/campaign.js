// Refreshes a sent campaign's figures while answers come in; without JavaScript the
// page shows the figures as they were when it was opened.
(function () {
  "use strict";
  var table = document.getElementById("campaign-figures");
  if (!table || !window.fetch) { return; }
  function refresh() {
    fetch(table.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (figures) {
        if (!figures) { return; }
        Object.keys(figures).forEach(function (name) {
          var cell = table.querySelector('[data-figure="' + name + '"]');
          if (cell && cell.textContent !== String(figures[name])) { cell.textContent = figures[name]; }
        });
      })
      .catch(function () { /* try again at the next tick */ });
  }
  window.setInterval(refresh, 10000);
})();
