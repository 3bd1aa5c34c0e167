// Follow-up calendar: drag an entry to another day (the time of day stays), and keys
// (← → previous/next period, T today, M W D month/week/day). The page works without it.
(function () {
  "use strict";
  var dragged = null;

  function calendar() { return document.getElementById("calendar"); }

  function clearDrop() {
    document.querySelectorAll(".fu-day.is-drop").forEach(function (cell) { cell.classList.remove("is-drop"); });
  }

  document.addEventListener("dragstart", function (event) {
    var entry = event.target.closest && event.target.closest(".fu-entry[draggable=true]");
    if (!entry) return;
    dragged = entry;
    entry.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", entry.dataset.entryId);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clearDrop();
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var cell = event.target.closest && event.target.closest("[data-drop-date]");
    if (!cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!cell.classList.contains("is-drop")) { clearDrop(); cell.classList.add("is-drop"); }
  });

  document.addEventListener("drop", function (event) {
    var cell = event.target.closest && event.target.closest("[data-drop-date]");
    if (!cell || !dragged) return;
    event.preventDefault();
    var entry = dragged;
    clearDrop();
    if (cell.dataset.dropDate === entry.dataset.date) return;
    var root = calendar();
    window.htmx.ajax("POST", entry.dataset.moveUrl, {
      target: "#calendar",
      swap: "outerHTML",
      headers: { "X-CSRFToken": root.dataset.csrf },
      values: {
        new_date: cell.dataset.dropDate,
        new_time: entry.dataset.time,
        view: root.dataset.view,
        date: root.dataset.anchor,
        user: root.dataset.user
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (!calendar() || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.matches("input, textarea, select, [contenteditable]")) return;
    var selector = {
      ArrowLeft: '[data-cal-nav="previous"]',
      ArrowRight: '[data-cal-nav="next"]',
      t: '[data-cal-nav="today"]',
      m: '[data-cal-view="month"]',
      w: '[data-cal-view="week"]',
      d: '[data-cal-view="day"]'
    }[event.key.length === 1 ? event.key.toLowerCase() : event.key];
    if (!selector) return;
    var link = calendar().querySelector(selector);
    if (link) { event.preventDefault(); link.click(); }
  });
})();
