// Live preview of a message template: as the coordinator types, the text is filled in
// by the server (the same checks as saving) and its SMS length shown. Without
// JavaScript the "Förhandsgranska" button does the same with a page load.
(function () {
  var form = document.getElementById("template-form");
  if (!form || !window.fetch) { return; }
  var body = form.querySelector("textarea[name=body]");
  var text = document.getElementById("preview-text");
  var length = document.getElementById("preview-length");
  var error = document.getElementById("preview-error");
  var timer = null;
  var latest = 0;

  function refresh() {
    var asked = ++latest;
    var data = new FormData(form);
    data.delete("submit");
    data.delete("preview");
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer || asked !== latest) { return; }
        error.textContent = answer.ok ? "" : answer.error;
        text.textContent = answer.ok ? answer.text : "";
        if (length) { length.textContent = answer.ok && answer.length ? answer.length.summary : ""; }
      })
      .catch(function () { /* the preview button still works */ });
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
