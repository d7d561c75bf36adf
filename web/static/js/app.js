// Progressive enhancement of the forms (no inline scripts: the CSP allows only this file).
// Repeatable rows of a list of objects (or of a list of dates): "Aggiungi" clones the row template with a fresh index,
// "Rimuovi" drops a row. Without JavaScript the form still works with the rows rendered.
(function () {
  "use strict";

  function nextIndex(list) {
    var max = -1;
    list.querySelectorAll(":scope > .row").forEach(function (row) {
      var n = parseInt(row.getAttribute("data-index"), 10);
      if (!isNaN(n) && n > max) { max = n; }
    });
    return max + 1;
  }

  function addRow(group) {
    var template = group.querySelector(":scope > template.row-template");
    var list = group.querySelector(":scope > .row-list");
    if (!template || !list) { return; }
    var index = String(nextIndex(list));
    var fragment = template.content.cloneNode(true);
    fragment.querySelectorAll("[name], [id], [for], [data-index], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "data-index", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.split("__index__").join(index)); }
      });
    });
    list.appendChild(fragment);
    var first = list.lastElementChild && list.lastElementChild.querySelector("input, select, textarea");
    if (first) { first.focus(); }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement)) { return; }
    if (target.classList.contains("add-row")) {
      event.preventDefault();
      addRow(target.closest("fieldset.rows"));
    } else if (target.classList.contains("remove-row")) {
      event.preventDefault();
      var row = target.closest(".row");
      if (row) { row.remove(); }
    }
  });

  // Live character counters: a field with data-maxlength shows how many characters it holds out
  // of its limit. The browser never cuts a longer text (no maxlength attribute): the server
  // refuses it with a message, so nothing written is silently lost.
  function counter(field) {
    var limit = parseInt(field.getAttribute("data-maxlength"), 10);
    if (isNaN(limit)) { return; }
    var out = document.createElement("p");
    out.className = "char-counter";
    out.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", out);
    function update() {
      var n = field.value.length;
      out.textContent = n + " / " + limit + (n > limit ? " – testo troppo lungo" : "");
      out.classList.toggle("over", n > limit);
    }
    field.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("[data-maxlength]").forEach(counter);

  // The error summary after a refused form: it takes the focus as the page loads (a screen reader
  // reads it first), and each of its links moves the focus to its field, its label in view.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target instanceof Element ? event.target.closest("a[href^='#']") : null;
      if (!link) { return; }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']") || field.querySelector("legend");
      (label || field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }
})();
