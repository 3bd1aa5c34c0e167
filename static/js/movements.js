// Transfers and stock counts: scanner-friendly line entry, confirmations, the count scan queue.
(function () {
  "use strict";

  // Forms with data-confirm ask first; buttons with data-once cannot be clicked twice.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    form.querySelectorAll("[data-once]").forEach(function (button) {
      setTimeout(function () { button.disabled = true; }, 0);
    });
  });

  // --- Transfer form: a picked variant adds a line, or adds 1 to its existing line. ---
  function refreshEmpty(tbody) {
    var empty = tbody.querySelector("[data-lines-empty]");
    if (empty) empty.hidden = !!tbody.querySelector("[data-line]");
  }

  function flash(row) {
    row.classList.remove("row--flash");
    void row.offsetWidth;  // restart the animation
    row.classList.add("row--flash");
  }

  document.addEventListener("variant-picked", function (event) {
    var form = event.target.closest("[data-transfer-form]");
    if (!form) return;
    var tbody = form.querySelector("[data-lines]");
    var id = String(event.detail.id);
    var row = tbody.querySelector('[data-line][data-variant="' + id + '"]');
    if (row) {
      var qty = row.querySelector("[data-qty]");
      qty.value = (parseInt(qty.value, 10) || 0) + 1;
    } else {
      var template = form.querySelector("[data-line-template]");
      row = template.content.firstElementChild.cloneNode(true);
      row.dataset.variant = id;
      row.querySelector('input[name="line_variant"]').value = id;
      var parts = event.detail.label.split(" · ");
      row.querySelector("[data-sku]").insertAdjacentText("afterbegin", parts.shift());
      row.querySelector("[data-label]").textContent = parts.join(" · ");
      tbody.insertBefore(row, tbody.querySelector("[data-lines-empty]"));
      refreshEmpty(tbody);
    }
    flash(row);
    // Ready for the next scan.
    var input = event.target.querySelector("[data-picker-input]");
    input.value = "";
    event.target.querySelector("[data-picker-value]").value = "";
    input.focus();
  });

  document.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-remove-line]");
    if (!remove) return;
    var tbody = remove.closest("[data-lines]");
    remove.closest("[data-line]").remove();
    refreshEmpty(tbody);
  });

  document.addEventListener("keydown", function (event) {
    if ((event.key !== "Enter" && event.key !== "Escape") || event.ctrlKey || event.metaKey) return;
    // Enter in a quantity goes back to the scan box instead of saving a half-made transfer.
    if (event.key === "Enter" && event.target.matches("[data-transfer-form] [data-qty]")) {
      event.preventDefault();
      var picker = event.target.closest("form").querySelector("[data-picker-input]");
      if (picker) picker.focus();
      return;
    }
    // Escape anywhere on the counting page goes back to the scan box.
    if (event.key === "Escape") {
      var scanBox = document.querySelector("[data-scan-input]");
      if (scanBox && event.target !== scanBox) { scanBox.focus(); }
      return;
    }
    // Enter in a counted quantity saves it (on change) and moves to the next line.
    if (event.target.matches("[data-counted]")) {
      event.preventDefault();
      var rows = Array.prototype.slice.call(document.querySelectorAll("[data-counted]"));
      var next = rows[rows.indexOf(event.target) + 1];
      if (next) { next.focus(); next.select(); } else { event.target.blur(); }
    }
  });

  // --- Count scan box: every Enter sends one code, in order, however fast the scanner is. ---
  // The server answers with a log entry (and the line's row and the summary out of band).
  var queue = Promise.resolve();
  var current = null;  // the form and code of the request in flight

  function failed() {
    var log = document.getElementById("scan-log");
    if (!current || !log) return;
    var item = document.createElement("li");
    item.className = "scan-entry scan-entry--error";
    item.textContent = current.form.dataset.failed.replace("%(code)s", current.code);
    log.insertBefore(item, log.firstChild);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-scan-form]");
    if (!form || !window.htmx) return;  // without htmx the form posts normally
    event.preventDefault();
    var input = form.querySelector("[data-scan-input]");
    var code = input.value.trim();
    input.value = "";
    input.focus();
    if (!code) return;
    queue = queue.then(function () {
      current = { form: form, code: code };
      return htmx.ajax("POST", form.action, {
        source: form, target: "#scan-log", swap: "afterbegin", values: { code: code }
      });
    }).catch(failed).then(function () { current = null; });
  });

  // A network failure rejects (handled above); a server error resolves without a swap.
  document.addEventListener("htmx:responseError", function (event) {
    if (current && event.detail.elt === current.form) failed();
  });

  // The scanned line's row comes inside the log entry's <template>: show it in the table.
  document.addEventListener("htmx:afterSwap", function () {
    var log = document.getElementById("scan-log");
    if (!log) return;
    log.querySelectorAll("template[data-count-row]").forEach(function (template) {
      var row = template.content.firstElementChild;
      var shown = document.getElementById(template.dataset.countRow);
      var tbody = document.querySelector("#count-lines tbody");
      if (row && shown) {
        shown.replaceWith(row);
      } else if (row && tbody && template.hasAttribute("data-added")) {
        var empty = tbody.querySelector("td.empty");
        if (empty) empty.closest("tr").remove();
        tbody.appendChild(row);
      } else {
        row = null;
      }
      template.remove();
      if (row) htmx.process(row);
    });
    while (log.children.length > 8) log.removeChild(log.lastElementChild);
  });
})();
