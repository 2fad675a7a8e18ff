// Quick entry: show the residents with the number while it is typed. Only an
// improvement: without it, saving with a known number shows the same list to pick from.
(function () {
  var form = document.getElementById("quick-entry");
  if (!form || !window.fetch) { return; }
  var phone = form.querySelector("#phone");
  var url = form.getAttribute("data-callers-url");
  var timer = null;
  var lastAsked = null;

  function refresh() {
    var typed = phone.value.trim();
    if (typed === lastAsked) { return; }
    lastAsked = typed;
    fetch(url + "?phone=" + encodeURIComponent(typed), {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null || typed !== phone.value.trim()) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#callers");
        var current = document.getElementById("callers");
        if (fresh && current) { current.replaceWith(fresh); }
      })
      .catch(function () { /* the form still works without the list */ });
  }

  phone.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
})();
