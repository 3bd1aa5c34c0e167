// A small calendar under the date fields (input[data-datepicker], common/forms.py
// LocalDateInput). The field stays a text field in the UI language's format, dd/mm/yyyy:
// typing works as before and is what the server reads; the calendar only helps to pick a day.
// It opens on a click in the field or Alt+ArrowDown, follows what is typed, and closes with
// Escape, Tab or a click elsewhere. The focus stays in the field (arrows keep moving the caret):
// Alt+arrows move the marked day by a day or a week, PageUp and PageDown by a month, Alt+Enter
// picks it. No inline code or style attributes (the CSP forbids them).
(function () {
  "use strict";

  var popup = null;   // the open calendar
  var field = null;   // the field it belongs to
  var shown = null;   // first day of the month shown
  var focus = null;   // the day keyboard navigation is on

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function write(day) { return pad(day.getDate()) + "/" + pad(day.getMonth() + 1) + "/" + day.getFullYear(); }
  function sameDay(a, b) { return a && b && a.toDateString() === b.toDateString(); }
  function addDays(day, n) { return new Date(day.getFullYear(), day.getMonth(), day.getDate() + n); }

  function read(text) {
    var m = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{2}|\d{4})\s*$/.exec(text || "");
    var d, mo, y;
    if (m) { d = +m[1]; mo = +m[2]; y = +m[3]; if (y < 100) y += 2000; }
    else {
      m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text || "");
      if (!m) return null;
      y = +m[1]; mo = +m[2]; d = +m[3];
    }
    var day = new Date(y, mo - 1, d);
    return day.getMonth() === mo - 1 && day.getDate() === d ? day : null;
  }

  function language() { return document.documentElement.lang || "vi"; }

  function render() {
    var lang = language();
    var today = new Date();
    var picked = read(field.value);
    popup.textContent = "";
    var head = document.createElement("div");
    head.className = "dp-head";
    var prev = button("‹", "dp-nav", -1);
    var next = button("›", "dp-nav", 1);
    var title = document.createElement("span");
    title.className = "dp-title";
    title.textContent = new Intl.DateTimeFormat(lang, { month: "long", year: "numeric" }).format(shown);
    head.append(prev, title, next);
    popup.append(head);

    var grid = document.createElement("div");
    grid.className = "dp-grid";
    grid.setAttribute("role", "grid");
    var weekday = new Intl.DateTimeFormat(lang, { weekday: "narrow" });
    for (var i = 0; i < 7; i++) {  // Monday first
      var name = document.createElement("span");
      name.className = "dp-weekday";
      name.textContent = weekday.format(new Date(2024, 0, 1 + i));  // 1 Jan 2024 was a Monday
      grid.append(name);
    }
    var first = new Date(shown.getFullYear(), shown.getMonth(), 1);
    var start = addDays(first, -((first.getDay() + 6) % 7));
    for (var n = 0; n < 42; n++) {
      var day = addDays(start, n);
      var cell = document.createElement("button");
      cell.type = "button";
      cell.tabIndex = -1;
      cell.className = "dp-day";
      if (day.getMonth() !== shown.getMonth()) cell.classList.add("dp-out");
      if (sameDay(day, today)) cell.classList.add("dp-today");
      if (sameDay(day, picked)) { cell.classList.add("dp-picked"); cell.setAttribute("aria-selected", "true"); }
      if (sameDay(day, focus)) cell.classList.add("dp-focus");
      cell.dataset.day = write(day);
      cell.textContent = day.getDate();
      cell.setAttribute("aria-label", new Intl.DateTimeFormat(lang, { dateStyle: "full" }).format(day));
      grid.append(cell);
    }
    popup.append(grid);
  }

  function button(text, className, months) {
    var b = document.createElement("button");
    b.type = "button";
    b.tabIndex = -1;
    b.className = className;
    b.textContent = text;
    b.dataset.months = months;
    return b;
  }

  function place() {
    var box = field.getBoundingClientRect();
    popup.style.top = (box.bottom + window.scrollY + 4) + "px";
    popup.style.left = Math.max(4, Math.min(box.left + window.scrollX,
      window.scrollX + document.documentElement.clientWidth - popup.offsetWidth - 4)) + "px";
  }

  function open(input) {
    if (field === input && popup) return;
    close();
    field = input;
    focus = read(input.value) || new Date();
    shown = new Date(focus.getFullYear(), focus.getMonth(), 1);
    popup = document.createElement("div");
    popup.className = "datepicker";
    popup.setAttribute("role", "dialog");
    document.body.append(popup);
    render();
    place();
  }

  function close() {
    if (popup) popup.remove();
    popup = field = shown = focus = null;
  }

  function pick(text) {
    var input = field;
    input.value = text;
    close();
    input.focus();
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function moveFocus(day) {
    focus = day;
    shown = new Date(day.getFullYear(), day.getMonth(), 1);
    render();
  }

  document.addEventListener("click", function (event) {
    var input = event.target.closest && event.target.closest("input[data-datepicker]");
    if (input) { open(input); return; }
    if (!popup || !popup.contains(event.target)) { close(); return; }
    var nav = event.target.closest("[data-months]");
    if (nav) {
      shown = new Date(shown.getFullYear(), shown.getMonth() + Number(nav.dataset.months), 1);
      render();
      field.focus();
      return;
    }
    var cell = event.target.closest("[data-day]");
    if (cell) pick(cell.dataset.day);
  });

  // The page keeps working with the keyboard: the calendar never takes the focus.
  document.addEventListener("keydown", function (event) {
    var input = event.target.closest && event.target.closest("input[data-datepicker]");
    if (!input) return;
    if (!popup || field !== input) {
      if (event.altKey && event.key === "ArrowDown") { event.preventDefault(); open(input); }
      return;
    }
    var steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };
    if (event.key === "Escape") { event.preventDefault(); close(); }
    else if (event.key === "Tab") close();
    else if (event.altKey && event.key in steps) { event.preventDefault(); moveFocus(addDays(focus, steps[event.key])); }
    else if (event.key === "PageUp" || event.key === "PageDown") {
      event.preventDefault();
      moveFocus(new Date(focus.getFullYear(), focus.getMonth() + (event.key === "PageUp" ? -1 : 1), focus.getDate()));
    } else if (event.key === "Enter" && event.altKey) { event.preventDefault(); pick(write(focus)); }
  });

  // What is typed moves the calendar to that day.
  document.addEventListener("input", function (event) {
    if (!popup || event.target !== field) return;
    var day = read(field.value);
    if (day) moveFocus(day);
  });

  window.addEventListener("resize", function () { if (popup) place(); });
  document.addEventListener("htmx:beforeSwap", close);
})();
