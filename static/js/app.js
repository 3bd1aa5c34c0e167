// Small behaviours shared by every page: toasts, keyboard shortcuts, copy buttons, the variant
// picker, quick dates in the follow-up panel, the main menu on narrow screens. No framework
// beyond htmx. Templates carry no inline code (the Content-Security-Policy forbids it): they
// mark elements with data-* attributes and the listeners below act on them.
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

  function openShortcuts() {
    var dialog = document.querySelector("[data-shortcuts]");
    if (!dialog || dialog.open) return false;
    dialog.showModal();
    return true;
  }
  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-shortcuts-open]")) return;
    var menu = event.target.closest("details");
    if (menu) menu.open = false;
    openShortcuts();
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.matches("input, textarea, select, [contenteditable]");
    // Alt+digit opens the menu entry that owns the digit (the same entry for every role; the
    // menu shows it): the digit key, whatever character the layout gives it with Alt.
    var digit = /^Digit([0-9])$/.exec(event.code || "") || /^([0-9])$/.exec(event.key || "");
    if (event.altKey && !event.ctrlKey && !event.metaKey && digit) {
      var link = document.querySelector('[data-nav-key="' + digit[1] + '"]');
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
      return;
    }
    // "?" shows the keyboard shortcuts.
    if (event.key === "?" && !typing && !event.ctrlKey && !event.metaKey) {
      if (openShortcuts()) event.preventDefault();
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

  // Copy a field's value (or a <pre>'s text) to the clipboard: <button data-copy="field-id"
  // data-copied="Copied">; <input data-select-on-focus> selects its text when focused.
  function copyText(text, source) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain http (an office LAN): select the text and use the legacy copy command.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.classList.add("offscreen");
    document.body.appendChild(area);
    area.select();
    var done = document.execCommand("copy");
    area.remove();
    if (source && source.select) source.select();
    return done ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copy);
    if (!source) return;
    var text = "value" in source && source.tagName !== "PRE" ? source.value : source.textContent;
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    copyText(text, source).then(function () {
      button.textContent = button.dataset.copied || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    }, function () {
      if (source.select) source.select();
    });
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  // Follow-up panel (followups/partials/panel.html): a quick-date button fills the date; in the
  // "log a contact" form (data-then="next") it also chooses "next contact".
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".fu-quick button[data-date]");
    if (!button || !button.form) return;
    button.form.elements.next_date.value = button.dataset.date;
    if (button.dataset.then) {
      var then = button.form.querySelector('[name="then"][value="' + button.dataset.then + '"]');
      if (then) then.checked = true;
    }
  });

  // Editable line tables (inventory/purchase_order_line_row.html): <button data-remove-row>
  // removes its row and sends "line-changed" from the table so the totals are recomputed.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove-row]");
    if (!button) return;
    var table = button.closest("table");
    button.closest("tr").remove();
    if (table) table.dispatchEvent(new CustomEvent("line-changed", { bubbles: true }));
  });

  // The main menu on narrow screens (templates/base.html, static/css/app.css): the top bar's
  // menu button opens the sidebar over the page; the button again, the close button, the shaded
  // backdrop or Esc close it and give the focus back to the button.
  var narrow = window.matchMedia("(max-width: 900px)");

  function navParts() {
    var shell = document.querySelector("[data-shell]");
    if (!shell) return null;
    return {
      shell: shell,
      toggle: shell.querySelector("[data-nav-toggle]"),
      backdrop: shell.querySelector(".nav-backdrop"),
      sidebar: shell.querySelector(".sidebar")
    };
  }

  function setNav(open, restoreFocus) {
    var nav = navParts();
    if (!nav || !nav.toggle) return;
    nav.shell.classList.toggle("nav-open", open);
    nav.toggle.setAttribute("aria-expanded", open ? "true" : "false");
    nav.backdrop.hidden = !open;
    // While the menu covers the page, the page behind it takes neither focus nor clicks.
    nav.shell.querySelector(".main").inert = open;
    if (open) {
      var first = nav.sidebar.querySelector("a.active") || nav.sidebar.querySelector("a");
      if (first) first.focus();
    } else if (restoreFocus) {
      nav.toggle.focus();
    }
  }

  function navIsOpen() {
    var nav = navParts();
    return Boolean(nav && nav.shell.classList.contains("nav-open"));
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-nav-toggle]")) { setNav(!navIsOpen(), false); return; }
    if (event.target.closest("[data-nav-close]")) setNav(false, true);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && navIsOpen()) { event.preventDefault(); setNav(false, true); }
  });
  // Widening the window (a tablet turned sideways) shows the sidebar in place: drop the overlay.
  narrow.addEventListener("change", function (event) { if (!event.matches && navIsOpen()) setNav(false, false); });

  document.addEventListener("DOMContentLoaded", function () { armToasts(document); });
  document.addEventListener("htmx:afterSettle", function () { armToasts(document); });
})();
