// The decision-table editor of the design pages: dmn-js's Modeler (window.ImpresaDmnKit, bundled
// from npm into /static/vendor/dmn-modeler) opened on the decision table, in Italian; the cells a
// save found a problem in are marked. Also the two tables the DMN pages draw from JSON: the
// decision tests' results (with the legal article each test proves) and the rule diff (rules
// added, removed, changed). modeler.js drives saving, problems and conflicts; this file exposes
// window.ImpresaDmnEditor, window.ImpresaDecisionTests and window.ImpresaRuleDiff.
(function () {
  "use strict";

  var modeler = null;
  var untranslated = [];

  function translateModule(italianSet) {
    var italian = (document.documentElement.lang || "it") === "it";
    return {
      translate: ["value", function (template, replacements) {
        var text = template;
        if (italian) {
          if (Object.prototype.hasOwnProperty.call(italianSet, template)) { text = italianSet[template]; }
          else if (untranslated.indexOf(template) < 0) { untranslated.push(template); }
        }
        replacements = replacements || {};
        return text.replace(/{([^}]+)}/g, function (match, key) {
          return Object.prototype.hasOwnProperty.call(replacements, key) ? replacements[key] : match;
        });
      }]
    };
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // Open the first decision table of the file (the DRD stays one click away in dmn-js's tabs).
  function openTable() {
    var views = modeler.getViews();
    var table = views.filter(function (v) { return v.type === "decisionTable"; })[0];
    return table ? modeler.open(table) : Promise.resolve();
  }

  function start(container, xml, onChange) {
    var Kit = window.ImpresaDmnKit;
    // Each editor gets the Italian module itself: dmn-js's Manager replaces, rather than merges,
    // the "common" additionalModules with each view's own.
    var italian = translateModule(Kit.italian || {});
    var perView = { additionalModules: [italian] };
    modeler = new Kit.DmnModeler({
      container: container,
      drd: perView,
      decisionTable: perView,
      literalExpression: perView,
      boxedExpression: perView
    });
    api.modeler = modeler;
    modeler.on("views.changed", function () {
      var viewer = modeler.getActiveViewer();
      if (viewer && !viewer.__impresaWatched) {
        viewer.__impresaWatched = true;
        viewer.on("elements.changed", function () { onChange(); });
      }
    });
    return modeler.importXML(xml).then(openTable);
  }

  function xml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  // Cells (and rules, columns) a problem names: marked, with the message as their title.
  function mark(problems) {
    var root = modeler ? document.querySelector(".dmn-decision-table-container") : null;
    if (!root) { return; }
    root.querySelectorAll(".d-problem-cell").forEach(function (node) {
      node.classList.remove("d-problem-cell");
      node.removeAttribute("title");
    });
    (problems || []).forEach(function (problem) {
      if (!problem.element) { return; }
      root.querySelectorAll('[data-element-id="' + CSS.escape(problem.element) + '"], [data-row-id="' + CSS.escape(problem.element) + '"]').forEach(function (node) {
        node.classList.add("d-problem-cell");
        node.setAttribute("title", problem.text || problem.message);
      });
    });
  }

  var api = { modeler: null, start: start, xml: xml, mark: mark, untranslated: untranslated };
  window.ImpresaDmnEditor = api;

  // --- decision tests -----------------------------------------------------------------------

  function values(map) {
    return Object.keys(map || {}).map(function (k) { return k + " = " + map[k]; }).join("; ");
  }

  // results: [{test_id, name, article, passed, given, expected, actual, matched_rules, error}]
  function renderTests(box, doc, labels) {
    box.textContent = "";
    var results = doc.results || [];
    var summary = el("p", doc.failed ? "bad" : "ok", doc.failed
      ? labels.testsFailed.replace("{failed}", doc.failed).replace("{n}", results.length)
      : labels.testsPassed.replace("{n}", results.length));
    summary.setAttribute("data-testid", "tests-summary");
    box.appendChild(summary);
    if (!results.length) { return; }
    var table = el("table", "test-results");
    table.setAttribute("data-testid", "decision-tests");
    var head = el("tr");
    [labels.testOutcome, labels.testName, labels.testArticle, labels.testInputs, labels.testExpected, labels.testActual]
      .forEach(function (h) { head.appendChild(el("th", "", h)); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    results.forEach(function (r) {
      var tr = el("tr", r.passed ? "passed" : "failed");
      tr.setAttribute("data-test", r.test_id);
      tr.appendChild(el("td", "", r.passed ? labels.pass : labels.fail));
      tr.appendChild(el("td", "", r.name || r.test_id));
      tr.appendChild(el("td", "article", r.article));
      tr.appendChild(el("td", "", values(r.given)));
      tr.appendChild(el("td", "", values(r.expected)));
      tr.appendChild(el("td", "", r.error ? labels.testError + " " + r.error : values(r.actual) +
        (r.matched_rules && r.matched_rules.length ? " (" + labels.rules + " " + r.matched_rules.join(", ") + ")" : "")));
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(table);
  }

  window.ImpresaDecisionTests = { render: renderTests };

  // --- rule diff ----------------------------------------------------------------------------

  // changes: [{decision_name, status, status_label, number_before, number_after, columns, before, after}]
  window.ImpresaRuleDiff = function (changes, labels) {
    labels = labels || {};
    var wrap = el("div", "table-scroll");
    var byDecision = {};
    changes.forEach(function (c) { (byDecision[c.decision_name] = byDecision[c.decision_name] || []).push(c); });
    Object.keys(byDecision).forEach(function (name) {
      var list = byDecision[name];
      wrap.appendChild(el("h3", "", name));
      var table = el("table", "rule-diff");
      table.setAttribute("data-testid", "rule-diff");
      var head = el("tr");
      head.appendChild(el("th", "", labels.rule || "#"));
      head.appendChild(el("th", "", labels.change || ""));
      head.appendChild(el("th", "", labels.what || ""));
      list[0].columns.forEach(function (c) { head.appendChild(el("th", "", c)); });
      table.appendChild(el("thead")).appendChild(head);
      var body = el("tbody");
      list.forEach(function (c) {
        var tr = el("tr", c.status);
        tr.setAttribute("data-rule", c.rule_id);
        tr.appendChild(el("td", "", c.number_after || c.number_before));
        tr.appendChild(el("td", "", c.status_label));
        // what changed, in one cell: a wide table hides the columns on its right
        var what = el("td", "what");
        if (c.status === "changed") {
          c.columns.forEach(function (title, i) {
            if (c.before[i] === c.after[i]) { return; }
            var line = el("div");
            line.appendChild(el("strong", "", title + ": "));
            line.appendChild(el("del", "", c.before[i]));
            line.appendChild(document.createTextNode(" → "));
            line.appendChild(el("code", "", c.after[i]));
            what.appendChild(line);
          });
        }
        tr.appendChild(what);
        var cells = c.status === "removed" ? c.before : c.after;
        cells.forEach(function (text, i) {
          var td = el("td");
          if (c.status === "changed" && c.before[i] !== c.after[i]) {
            td.className = "cell-changed";
            td.appendChild(el("del", "", c.before[i]));
            td.appendChild(document.createTextNode(" → "));
            td.appendChild(el("code", "", text));
          } else {
            td.appendChild(el("code", "", text));
          }
          tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      table.appendChild(body);
      wrap.appendChild(table);
    });
    return wrap;
  };
})();
