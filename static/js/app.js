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

  // Variant picker (templates/inventory/partials/variant_picker.html).
  function pick(option) {
    var picker = option.closest("[data-picker]");
    var hidden = picker.querySelector("[data-picker-value]");
    var input = picker.querySelector("[data-picker-input]");
    hidden.value = option.dataset.pickValue;
    input.value = option.dataset.pickLabel;
    picker.querySelector(".picker-results").innerHTML = "";
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
    picker.dispatchEvent(new CustomEvent("variant-picked", {
      bubbles: true, detail: { id: option.dataset.pickValue, label: option.dataset.pickLabel }
    }));
  }
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-pick-value]");
    if (option) { event.preventDefault(); pick(option); }
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("[data-picker-input]");
    if (!input) return;
    var results = input.closest("[data-picker]").querySelector(".picker-results");
    if (event.key === "Enter") {
      event.preventDefault();  // a scanner ends with Enter: pick, never submit the form half-filled
      var first = results.querySelector("[data-pick-value]");
      if (first) { pick(first); return; }
      if (window.htmx) {  // results not loaded yet (fast scanner): fetch, then pick the first
        htmx.ajax("GET", input.getAttribute("hx-get") + "?q=" + encodeURIComponent(input.value),
                  { target: results, swap: "innerHTML" }).then(function () {
          var hit = results.querySelector("[data-pick-value]");
          if (hit) pick(hit);
        });
      }
    } else if (event.key === "ArrowDown") {
      var firstOption = results.querySelector("[data-pick-value]");
      if (firstOption) { event.preventDefault(); firstOption.focus(); }
    }
  });
  document.addEventListener("keydown", function (event) {
    var option = event.target.closest && event.target.closest("[data-pick-value]");
    if (!option) return;
    if (event.key === "ArrowDown" && option.nextElementSibling) { event.preventDefault(); option.nextElementSibling.focus(); }
    if (event.key === "ArrowUp") {
      event.preventDefault();
      (option.previousElementSibling || option.closest("[data-picker]").querySelector("[data-picker-input]")).focus();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { armToasts(document); });
  document.addEventListener("htmx:afterSettle", function () { armToasts(document); });
})();
