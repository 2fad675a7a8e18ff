// The skip link ("Hoppa till innehållet") moves the focus to the content without adding
// "#main" to the address: a fragment would stay on through a form's redirect, and would
// add a step to the Back button. Without JavaScript the link works as a plain link.
document.querySelectorAll("a.skip-link").forEach(function (link) {
  link.addEventListener("click", function (event) {
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    target.focus();
  });
});
