// Product editor: Enter in an option field updates the variant rows instead of saving;
// specification rows can be added and moved up; a finished upload clears the file field.
// Everything else is plain forms and htmx.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.ctrlKey || event.metaKey) return;
    if (!event.target.closest) return;
    // Enter in an option field rebuilds the rows; in "set a value on every row" it applies it.
    var button = null;
    if (event.target.closest("[data-matrix-input]")) button = document.getElementById("matrix-button");
    else if (event.target.closest("details.fill")) button = document.querySelector('details.fill button[value="fill"]');
    if (button) { event.preventDefault(); button.click(); }
  });

  // "Upload now" (data-clear-files="images") empties the file field once the upload succeeded.
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail.elt;
    if (!event.detail.successful || !button.matches || !button.matches("[data-clear-files]")) return;
    var input = button.form && button.form.querySelector('[name="' + button.dataset.clearFiles + '"]');
    if (input) input.value = "";
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-spec-add]");
    if (add) {
      var card = add.closest(".card");
      var total = card.querySelector('input[name="spec-TOTAL_FORMS"]');
      var template = card.querySelector("template[data-spec-template]");
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var body = card.querySelector("[data-spec-rows]");
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var first = body.lastElementChild.querySelector("input");
      if (first) first.focus();
      return;
    }
    var up = event.target.closest("[data-spec-up]");
    if (up) {
      var row = up.closest("tr");
      var previous = row.previousElementSibling;
      if (!previous) return;
      var mine = row.querySelectorAll("input"), theirs = previous.querySelectorAll("input");
      for (var i = 0; i < mine.length && i < theirs.length; i++) {
        var value = mine[i].value; mine[i].value = theirs[i].value; theirs[i].value = value;
      }
      theirs[0] && theirs[0].focus();
    }
  });
})();
