// The manual order page (templates/orders/order_form.html): keyboard, customer pick, line rows.
// No money is computed here: every change asks the server for the totals (order_form_totals).
(function () {
  "use strict";

  var seq = 0;
  var pending = {};  // variant id -> extra units picked while its row is being fetched

  function $(selector) { return document.querySelector(selector); }
  function theForm() { return document.getElementById("order-form"); }
  function recalc() { document.body.dispatchEvent(new CustomEvent("recalc")); }
  function orderParam() { var o = $("#of-order-id"); return o ? o.value : ""; }

  function focusField(el) { if (el) { el.focus(); if (el.select) el.select(); } }
  function focusPhone() { focusField($("#of-phone")); }
  function focusProduct() { focusField($("#of-product")); }

  // Results are "fresh" when they answer what the input holds now (data-q on each option),
  // so Enter never picks a result of a shorter, earlier query.
  function freshOptions(container, value) {
    var options = Array.prototype.slice.call(container.querySelectorAll(".picker-option"));
    if (!options.length || options[0].dataset.q !== value.trim()) return null;
    return options;
  }

  function fetchInto(container, url, params) {
    var query = new URLSearchParams(params);
    if (orderParam()) query.set("order", orderParam());
    return htmx.ajax("GET", url + "?" + query.toString(), { target: container, swap: "innerHTML" });
  }

  // --- Customer ---------------------------------------------------------------------------------

  function setMode(mode) {
    theForm().dataset.mode = mode;
    $("#id_customer_mode").value = mode;
  }

  function pickCustomer(option) {
    var id = option.dataset.customer;
    var panel = document.querySelector('#of-customer-results template[data-customer-panel="' + id + '"]');
    if (!panel) return;
    $("#of-customer-picked").replaceChildren(panel.content.cloneNode(true));
    $("#id_customer").value = id;
    setMode("existing");
    $("#of-customer-results").innerHTML = "";
    focusProduct();
  }

  function newCustomer() {
    var typed = $("#of-phone").value.trim();
    setMode("new");
    $("#id_customer").value = "";
    $("#of-customer-picked").innerHTML = "";
    $("#of-customer-results").innerHTML = "";
    if (/[^\d\s+().-]/.test(typed)) {
      if (!$("#id_new_name").value) $("#id_new_name").value = typed;
    } else if (typed) {
      $("#id_new_phone").value = typed;
    }
    focusField($("#id_new_name"));
  }

  function clearCustomer() {
    $("#of-customer-picked").innerHTML = "";
    $("#id_customer").value = "";
    setMode("existing");
    focusPhone();
  }

  function pickFirstCustomer(input) {
    var results = $("#of-customer-results");
    var options = freshOptions(results, input.value);
    if (options) { options[0].click(); return; }
    if (input.value.trim().length < 3) return;
    fetchInto(results, theForm().dataset.customersUrl, { phone: input.value }).then(function () {
      var fresh = freshOptions(results, input.value);
      if (fresh) fresh[0].click();
    });
  }

  // --- Lines ------------------------------------------------------------------------------------

  function rowOf(variantId) {
    return $('#of-lines tr.of-line[data-variant="' + variantId + '"]');
  }

  function bump(row, units) {
    var qty = row.querySelector("input[name=line_qty]");
    qty.value = (parseInt(qty.value, 10) || 0) + units;
  }

  function addLine(variantId) {
    var row = rowOf(variantId);
    if (row) { bump(row, 1); recalc(); return; }
    if (pending[variantId] !== undefined) { pending[variantId] += 1; return; }
    pending[variantId] = 0;
    var form = theForm();
    var query = new URLSearchParams({
      variant: variantId,
      warehouse: form.elements.warehouse.value,
      key: "n" + Date.now().toString(36) + (seq++)
    });
    if (orderParam()) query.set("order", orderParam());
    htmx.ajax("GET", form.dataset.lineUrl + "?" + query.toString(),
              { target: "#of-lines", swap: "beforeend" }).then(function () {
      var extra = pending[variantId];
      delete pending[variantId];
      var added = rowOf(variantId);
      if (added && extra) bump(added, extra);
      recalc();  // the new row's amount belongs in the totals at once, not at the next edit
    });
  }

  function lastQty() {
    var rows = document.querySelectorAll("#of-lines tr.of-line");
    return rows.length ? rows[rows.length - 1].querySelector("input[name=line_qty]") : null;
  }

  function pickFirstVariant(input) {
    var results = $("#of-variant-results");
    var options = freshOptions(results, input.value);
    if (options) { options[0].click(); return; }
    if (!input.value.trim()) return;
    var warehouse = theForm().elements.warehouse.value;
    fetchInto(results, input.getAttribute("hx-get"), { q: input.value, warehouse: warehouse }).then(function () {
      var fresh = freshOptions(results, input.value);
      if (fresh) fresh[0].click();
    });
  }

  // A variant picked in the product search (app.js fires "variant-picked"): add it, clear.
  document.addEventListener("variant-picked", function (event) {
    if (!event.target.closest || !event.target.closest(".of-product")) return;
    addLine(event.detail.id);
    var input = $("#of-product");
    input.value = "";
    event.target.querySelector("[data-picker-value]").value = "";
    input.focus();
  });

  // --- Keyboard ---------------------------------------------------------------------------------

  // Capture phase: the two search boxes decide Enter and arrows before app.js's picker does.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var inSearch = target.id === "of-phone" || target.id === "of-product";
    if (inSearch && event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.stopPropagation();
      theForm().requestSubmit();
      return;
    }
    if (target.id === "of-phone") {
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        event.stopPropagation();
        pickFirstCustomer(target);
      } else if (event.key === "ArrowDown") {
        var first = $("#of-customer-results .picker-option");
        if (first) { event.preventDefault(); event.stopPropagation(); first.focus(); }
      } else if (event.key === "Escape") {
        $("#of-customer-results").innerHTML = "";
      }
    } else if (target.id === "of-product") {
      if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
        event.preventDefault();
        event.stopPropagation();
        pickFirstVariant(target);
      } else if (event.key === "ArrowDown" && !$("#of-variant-results .picker-option")) {
        event.preventDefault();
        event.stopPropagation();
        focusField(lastQty());
      } else if (event.key === "Escape") {
        event.preventDefault();
        target.value = "";
        $("#of-variant-results").innerHTML = "";
      }
    } else if (target.matches && target.matches("#of-customer-results .picker-option")) {
      var all = Array.prototype.slice.call(document.querySelectorAll("#of-customer-results .picker-option"));
      var index = all.indexOf(target);
      if (event.key === "ArrowDown" && index < all.length - 1) { event.preventDefault(); event.stopPropagation(); all[index + 1].focus(); }
      if (event.key === "ArrowUp") { event.preventDefault(); event.stopPropagation(); (index > 0 ? all[index - 1] : $("#of-phone")).focus(); }
      if (event.key === "Escape") { $("#of-customer-results").innerHTML = ""; focusPhone(); }
    }
  }, true);

  document.addEventListener("keydown", function (event) {
    var form = theForm();
    if (!form) return;
    if (event.key === "F2") { event.preventDefault(); focusPhone(); return; }
    if (event.key === "F4") { event.preventDefault(); focusProduct(); return; }
    if (event.key === "F6") {  // the E-invoice section: unfold it, focus its first field
      var invoice = $("#of-invoice");
      if (invoice) { event.preventDefault(); invoice.open = true; invoice.querySelector("select, input").focus(); }
      return;
    }
    if (event.altKey && !event.ctrlKey && event.code === "KeyS") {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    var target = event.target;
    if (!form.contains(target) || event.defaultPrevented) return;
    var inLine = target.closest("tr.of-line");
    if (event.key === "Escape" && inLine) { focusProduct(); return; }
    // Enter never saves a half-typed order by accident: Ctrl+Enter / Alt+S save.
    if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && target.matches("input, select")) {
      event.preventDefault();
      if (target.classList.contains("recalc")) recalc();
      if (inLine) focusProduct();
    }
  });

  // A late answer to the search box (its delay was still running when Enter picked, or the
  // user moved on) must not bring the results back over the page.
  var SEARCHES = { "of-customer-results": ["of-phone", "phone"], "of-variant-results": ["of-product", "q"] };
  document.addEventListener("htmx:beforeSwap", function (event) {
    var search = SEARCHES[event.detail.target && event.detail.target.id];
    if (!search || event.detail.requestConfig.verb !== "get") return;
    var input = document.getElementById(search[0]);
    var params = event.detail.requestConfig.parameters;
    var sent = params && (typeof params.get === "function" ? params.get(search[1]) : params[search[1]]);
    var active = document.activeElement;
    var here = active === input || event.detail.target.contains(active);
    if (!here || (sent != null && String(sent).trim() !== input.value.trim())) {
      event.detail.shouldSwap = false;
    }
  });

  // --- Clicks, typing, submit -------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var option = event.target.closest("#of-customer-results [data-customer]");
    if (option) { event.preventDefault(); pickCustomer(option); return; }
    if (event.target.closest("[data-new-customer]")) { event.preventDefault(); newCustomer(); return; }
    if (event.target.closest("[data-customer-clear]")) { event.preventDefault(); clearCustomer(); return; }
    var remove = event.target.closest("[data-remove-line]");
    if (remove) {
      remove.closest("tr").remove();
      recalc();
      focusProduct();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.classList && event.target.classList.contains("recalc")) recalc();
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select.recalc")) recalc();
  });
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("tr.of-line input")) event.target.select();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "order-form") return;
    if (form.dataset.submitting) { event.preventDefault(); return; }  // a second Ctrl+Enter
    form.dataset.submitting = "1";
  });
  window.addEventListener("pageshow", function () {
    var form = theForm();
    if (form) delete form.dataset.submitting;
  });
})();
