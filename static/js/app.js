// Small behaviours shared by every page: toasts, keyboard shortcuts. No framework beyond htmx.
(function () {
  "use strict";

  function dismissLater(toast) {
    if (toast.dataset.timer) return;
    toast.dataset.timer = "1";
    var isError = toast.classList.contains("toast--error");
    setTimeout(function () { toast.remove(); }, isError ? 12000 : 5000);
  }

  function armToasts(root) {
    (root || document).querySelectorAll(".toast").forEach(dismissLater);
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-dismiss]");
    if (close) close.closest(".toast").remove();
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.matches("input, textarea, select, [contenteditable]");
    // Alt+1..9 opens the n-th page of the navigation.
    if (event.altKey && !event.ctrlKey && /^[1-9]$/.test(event.key)) {
      var link = document.querySelector('[data-nav-index="' + event.key + '"]');
      if (link) { event.preventDefault(); window.location.href = link.href; }
      return;
    }
    // Ctrl/Cmd+Enter submits the form being edited.
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && target.form) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    // "/" jumps to the page's search box.
    if (event.key === "/" && !typing) {
      var search = document.querySelector("[data-search]");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
    }
  });

  document.addEventListener("DOMContentLoaded", function () { armToasts(document); });
  document.addEventListener("htmx:afterSettle", function () { armToasts(document); });
})();
