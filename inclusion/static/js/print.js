// The "print the day list" button: only an improvement, the browser's own menu works too.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
