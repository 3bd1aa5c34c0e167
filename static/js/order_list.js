// Order list: row selection for the bulk actions and keyboard moves.
// j / k move the highlighted row, x ticks it, Enter opens it, s creates parcels for the ticked
// orders ("/" to search is in app.js).
(function () {
  "use strict";

  var current = -1;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-order-row]")); }
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("[data-order-row] input[name=order]")); }

  function refresh() {
    var form = document.querySelector("[data-bulk]");
    if (!form) return;
    var all = boxes();
    var ticked = all.filter(function (box) { return box.checked; });
    var checkAll = document.querySelector("[data-check-all]");
    var filterOption = form.querySelector("[data-select-filter]");
    var scope = form.querySelector("[data-scope-filter]");
    var everyOnPage = all.length > 0 && ticked.length === all.length;
    if (checkAll) {
      checkAll.checked = everyOnPage;
      checkAll.indeterminate = ticked.length > 0 && !everyOnPage;
    }
    if (filterOption) {
      filterOption.hidden = !everyOnPage;
      if (!everyOnPage && scope) scope.checked = false;
    }
    var count = form.querySelector("[data-selected-count]");
    var wholeFilter = scope && scope.checked;
    if (count) {
      count.textContent = wholeFilter ? count.dataset.all
        : ticked.length ? count.dataset.some.replace("%(count)s", ticked.length) : count.dataset.none;
    }
    form.querySelector(".bulk-bar").classList.toggle("has-selection", ticked.length > 0);
    form.querySelectorAll("[data-needs-selection]").forEach(function (button) {
      button.disabled = ticked.length === 0;
    });
    all.forEach(function (box) { box.closest("tr").classList.toggle("is-selected", box.checked); });
  }

  function highlight(index) {
    var list = rows();
    if (!list.length) return;
    current = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (row, i) { row.classList.toggle("is-current", i === current); });
    list[current].scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-check-all]")) {
      boxes().forEach(function (box) { box.checked = target.checked; });
      refresh();
    } else if (target.matches("[data-order-row] input[name=order], [data-scope-filter]")) {
      refresh();
    }
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-close-report]");
    if (close) { close.closest(".bulk-report").remove(); return; }
    var row = event.target.closest("[data-order-row]");
    if (row) highlight(rows().indexOf(row));
  });

  // Enter in the cancellation reason cancels (after the confirmation prompt), nothing else.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches("[data-bulk] input[name=reason]")) return;
    event.preventDefault();
    var cancel = event.target.form.querySelector("[data-action=cancel]");
    if (cancel && !cancel.disabled) cancel.click();
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.matches("input:not([type=checkbox]), textarea, select, [contenteditable]")) return;
    if (!document.querySelector("[data-order-table]")) return;
    var list = rows();
    if (event.key === "j") { event.preventDefault(); highlight(current + 1); }
    else if (event.key === "k") { event.preventDefault(); highlight(current < 0 ? 0 : current - 1); }
    else if (event.key === "x" && list[current]) {
      event.preventDefault();
      var box = list[current].querySelector("input[name=order]");
      box.checked = !box.checked;
      refresh();
    } else if (event.key === "s") {
      // Create parcels for the ticked orders (the carrier and service are asked next).
      var parcels = document.querySelector("[data-bulk] [data-action=parcels]");
      if (parcels && !parcels.disabled) { event.preventDefault(); parcels.click(); }
    } else if (event.key === "Enter" && list[current] && !event.target.matches("a, button, input")) {
      var link = list[current].querySelector("[data-open]");
      if (link) { event.preventDefault(); window.location.href = link.href; }
    }
  });

  // Filter requests carry only the filters in use, so the pushed URL stays short and shareable.
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt.matches || !event.detail.elt.matches("#order-filters")) return;
    var params = event.detail.parameters;
    var keys = params instanceof FormData ? Array.from(params.keys()) : Object.keys(params);
    keys.forEach(function (key) {
      var value = params instanceof FormData ? params.get(key) : params[key];
      if (value === "" || (key === "sort" && value === "-created")) {
        if (params instanceof FormData) params.delete(key); else delete params[key];
      }
    });
  });

  // The table was replaced (filters, page, after a bulk action): start over.
  document.addEventListener("htmx:afterSettle", function () {
    if (!document.querySelector("[data-order-row].is-current")) current = -1;
    refresh();
  });

  document.addEventListener("DOMContentLoaded", refresh);
})();
