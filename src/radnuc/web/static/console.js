// radnuc console: the reachback clocks (minutes:seconds left, counting down without reloading) and dialogs
// (a button with data-dialog opens the <dialog> of that id; data-close closes it).
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll(".clock[data-due]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.due) - now) / 1000);
      if (left >= 0) {
        el.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
        el.classList.remove("late");
      } else {
        left = -left;
        el.textContent = "-" + Math.floor(left / 60) + ":" + pad(left % 60) + " " + (el.dataset.overdueLabel || "overdue");
        el.classList.add("late");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-dialog]").forEach(function (button) {
      button.addEventListener("click", function () {
        var dialog = document.getElementById(button.dataset.dialog);
        if (dialog && !dialog.open) dialog.showModal();
      });
    });
    document.querySelectorAll("[data-close]").forEach(function (button) {
      button.addEventListener("click", function () {
        var dialog = document.getElementById(button.dataset.close);
        if (dialog && dialog.open) dialog.close();
      });
    });
  });
})();
