// Order detail and return pages: single-key shortcuts (c confirm, s ship, e edit, r return),
// adding exchange rows on the return page and filling its refund with the server's suggestion.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.repeat) return;
    var target = event.target;
    if (target.closest && target.closest("input, textarea, select, [contenteditable], details[open]")) return;
    var key = (event.key || "").toLowerCase();
    if (!/^[a-z]$/.test(key)) return;
    var control = document.querySelector('[data-shortcut="' + key + '"]');
    if (!control || control.disabled) return;
    event.preventDefault();
    control.click();
  });

  // Return page: "Add a row" clones the formset's empty form (Django's __prefix__ template).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (!button) return;
    event.preventDefault();
    var prefix = button.dataset.addRow;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty-row");
    var body = document.getElementById(prefix + "-rows");
    if (!total || !template || !body) return;
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var row = body.lastElementChild;
    if (row && window.htmx) htmx.process(row);  // the new row's product search
    var first = row && row.querySelector("input:not([type=hidden])");
    if (first) first.focus();
  });

  // Return page: the refund amount follows the suggestion the server computes from the returned
  // quantities (#refund-suggestion, data-suggested), until staff type an amount themselves.
  document.addEventListener("input", function (event) {
    if (event.target.id === "id_refund_amount") event.target.dataset.typed = "1";
  });
  document.addEventListener("htmx:afterSettle", function () {
    var suggestion = document.getElementById("refund-suggestion");
    var amount = document.getElementById("id_refund_amount");
    if (!suggestion || !amount || amount.dataset.typed) return;
    var value = suggestion.dataset.suggested || "";
    amount.value = /[1-9]/.test(value) ? value : "";
  });
})();

// An action popover (complete, cancel) or the payment panel: focus its first field on opening.
document.addEventListener("toggle", function (event) {
  var details = event.target;
  if (!details.matches || !details.matches("details.action-pop, details.inline-panel") || !details.open) return;
  var field = details.querySelector("input:not([type=hidden]), select, textarea");
  if (field) field.focus();
}, true);
