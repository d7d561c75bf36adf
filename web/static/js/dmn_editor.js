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
        viewer.on("elements.changed", function () { if (!reloading) { onChange(); } });
      }
    });
    return modeler.importXML(xml).then(openTable);
  }

  // The file saved by the server (a decision test written into it): loaded again, on the same
  // table, without counting as a change of the designer's.
  var reloading = false;

  function reload(content) {
    var active = modeler.getActiveView();
    reloading = true;
    return modeler.importXML(content).then(function () {
      var same = active && modeler.getViews().filter(function (v) { return v.element.id === active.element.id; })[0];
      return same ? modeler.open(same) : openTable();
    }).finally(function () { reloading = false; });
  }

  function xml() {
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  // Cells (and rules, columns) a problem names: marked, with the message written in the cell
  // (and as its title). A problem names its cell by id, or by its rule's and column's ids when
  // the file gives the cell none. dmn-js redraws cells (a click, an edit) and rewrites their
  // class, so the marks are kept in a list and put back after every redraw.
  var marks = [];
  var observer = null;
  var scheduled = false;

  function table() {
    return modeler ? document.querySelector(".dmn-decision-table-container") : null;
  }

  function cellsOf(root, problem) {
    var args = problem.args || {};
    var found = [];
    if (problem.element) {
      found = Array.prototype.slice.call(root.querySelectorAll('[data-element-id="' + CSS.escape(problem.element) + '"]'));
    }
    if (!found.length && args.rule_id && args.column_id) {
      found = Array.prototype.slice.call(root.querySelectorAll(
        'td[data-row-id="' + CSS.escape(args.rule_id) + '"][data-col-id="' + CSS.escape(args.column_id) + '"]'));
    }
    return found;
  }

  function apply() {
    scheduled = false;
    var root = table();
    if (!root) { return; }
    var wanted = new Map();
    marks.forEach(function (problem) {
      cellsOf(root, problem).forEach(function (node) {
        var texts = wanted.get(node) || [];
        texts.push(problem.text || problem.message);
        wanted.set(node, texts);
      });
    });
    root.querySelectorAll(".d-problem-cell, .d-problem-rule").forEach(function (node) {
      if (!wanted.has(node)) {
        node.classList.remove("d-problem-cell", "d-problem-rule");
        node.removeAttribute("data-problem");
        node.removeAttribute("title");
      }
    });
    wanted.forEach(function (texts, node) {
      var text = texts.join("\n");
      var kind = node.classList.contains("rule-index") ? "d-problem-rule" : "d-problem-cell";
      if (!node.classList.contains(kind)) { node.classList.add(kind); }
      if (node.getAttribute("data-problem") !== text) {
        node.setAttribute("data-problem", text);
        node.setAttribute("title", text);
      }
    });
  }

  function schedule() {
    if (!scheduled) { scheduled = true; window.requestAnimationFrame(apply); }
  }

  function mark(problems) {
    marks = (problems || []).filter(function (p) { return p.element || (p.args && p.args.rule_id); });
    if (!observer && modeler) {
      observer = new MutationObserver(schedule);
      observer.observe(document.getElementById("dmn-editor"), { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
    }
    apply();
  }

  // Where in the table a problem is, as a designer says it ("Regola 1 · Invalidità civile (%)"),
  // or null when the table does not show it (a decision test, another table).
  function where(problem, labels) {
    var root = table();
    var cell = root ? cellsOf(root, problem)[0] : null;
    if (!cell) { return null; }
    var row = cell.getAttribute("data-row-id");
    var index = row ? root.querySelector('td.rule-index[data-row-id="' + CSS.escape(row) + '"]') : null;
    var col = cell.getAttribute("data-col-id");
    var head = col ? root.querySelector('th[data-col-id="' + CSS.escape(col) + '"]') : null;
    var title = head ? (head.querySelector(".input-label, .input-expression, .output-label, .output-name") || head).textContent.trim() : "";
    var parts = [];
    if (index) { parts.push((labels.rule || "") + " " + index.textContent.trim()); }
    if (title && cell !== index) { parts.push(title); }
    return parts.join(" · ") || null;
  }

  function reveal(problem) {
    var root = table();
    var cell = root ? cellsOf(root, problem)[0] : null;
    if (cell) { cell.scrollIntoView({ block: "center", inline: "center" }); }
  }

  var api = { modeler: null, start: start, xml: xml, reload: reload, mark: mark, where: where, reveal: reveal, untranslated: untranslated };
  window.ImpresaDmnEditor = api;

  // --- decision tests ---------------------------------------------------------------------

  // A test's values as a designer reads them: the column's title, sì/no for JSON's true/false.
  // Values come as JSON texts: shown without JSON's brackets and quotes (a list as its items, an
  // empty one as "nessun valore"); the form keeps the JSON.
  function plain(text, labels) {
    var value;
    try { value = JSON.parse(text); } catch (e) { return text; }
    if (value === true) { return labels.yes; }
    if (value === false) { return labels.no; }
    if (value === null || (Array.isArray(value) && !value.length)) { return labels.none; }
    if (Array.isArray(value)) { return value.map(function (v) { return plain(JSON.stringify(v), labels); }).join(", "); }
    if (typeof value === "object") { return text; }
    return String(value);
  }

  function readable(map, titles, labels) {
    return Object.keys(map || {}).map(function (k) {
      return (titles && titles[k] ? titles[k] : k) + ": " + plain(map[k], labels);
    }).join("; ");
  }

  function rowsOf(map) {
    return Object.keys(map || {}).map(function (k) { return [k, map[k]]; });
  }

  // A test id proposed from its name: T_ and the name's letters and digits, accents dropped.
  function slug(name) {
    var plain = (name || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    var body = plain.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").slice(0, 60);
    return body ? "T_" + body : "";
  }

  // The tests of each table as written, with their results; with ``actions`` (the editor page)
  // each row can be edited or deleted and the form below writes new ones.
  // doc: {results, passed, failed, not_run, suites: [{decision_id, decision_name, reads, outputs,
  //       defaults, tests: [{test_id, name, article, inputs, expected, result, problems}]}]}
  function TestEditor(box, labels, actions) {
    var form = document.getElementById("test-form");
    var suites = [];
    var editing = null; // {suite, test} or {suite} for a new one
    var idTouched = false;

    function summary(doc) {
      var count = 0;
      suites.forEach(function (s) { count += s.tests.length; });
      var text = doc.failed
        ? labels.testsFailed.replace("{failed}", doc.failed).replace("{n}", count)
        : doc.not_run
          ? labels.testsSomePassed.replace("{passed}", doc.passed).replace("{n}", count)
          : labels.testsPassed.replace("{n}", count);
      if (doc.not_run) { text += " " + labels.testsNotRun.replace("{n}", doc.not_run); }
      var p = el("p", doc.failed || doc.not_run ? "bad" : "ok", text);
      p.setAttribute("data-testid", "tests-summary");
      return p;
    }

    function row(suite, t) {
      var r = t.result;
      var state = r ? (r.passed ? "passed" : "failed") : "not-run";
      var tr = el("tr", state);
      tr.setAttribute("data-test", t.test_id);
      tr.appendChild(el("td", "outcome", r ? (r.passed ? labels.pass : labels.fail) : labels.testNotRun));
      var name = el("td", "name", t.name || t.test_id);
      name.appendChild(el("small", "test-id", t.test_id));
      tr.appendChild(name);
      tr.appendChild(el("td", "article", t.article));
      tr.appendChild(el("td", "", readable(t.inputs, suite.titles, labels)));
      tr.appendChild(el("td", "", readable(t.expected, suite.titles, labels)));
      var actual;
      if (!r) { actual = el("td", "bad", t.problems.join(" ")); }
      else if (r.error) { actual = el("td", "", labels.testError + " " + r.error); }
      else {
        actual = el("td", "", readable(r.actual, suite.titles, labels) +
          (r.matched_rules && r.matched_rules.length
            ? " (" + (r.matched_rules.length === 1 ? labels.rule.toLowerCase() : labels.rules) + " " + r.matched_rules.join(", ") + ")"
            : ""));
      }
      tr.appendChild(actual);
      if (actions) {
        var cell = el("td", "actions");
        var edit = el("button", "link", labels.editTest);
        edit.type = "button";
        edit.setAttribute("data-action", "edit");
        edit.addEventListener("click", function () { open(suite, t); });
        var del = el("button", "link danger", labels.deleteTest);
        del.type = "button";
        del.setAttribute("data-action", "delete");
        del.addEventListener("click", function () {
          if (del.getAttribute("data-armed") !== "true") { // a second click confirms
            del.setAttribute("data-armed", "true");
            del.textContent = labels.confirmDelete;
            return;
          }
          del.disabled = true;
          actions.remove({ decision_id: suite.decision_id, test_id: t.test_id }).catch(function () { del.disabled = false; });
        });
        cell.appendChild(edit);
        cell.appendChild(document.createTextNode(" "));
        cell.appendChild(del);
        tr.appendChild(cell);
      }
      return tr;
    }

    function render(doc) {
      box.textContent = "";
      suites = doc.suites || [];
      if (!doc.suites) { // a document without the tests as written: the results alone
        suites = [{ decision_id: "", decision_name: "", reads: [], outputs: [], defaults: {}, tests: (doc.results || []).map(function (r) {
          return { test_id: r.test_id, name: r.name, article: r.article, inputs: r.given, expected: r.expected, result: r, problems: [] };
        }) }];
      }
      box.appendChild(summary(doc));
      suites.forEach(function (suite) {
        if (suites.length > 1) { box.appendChild(el("h3", "", suite.decision_name)); }
        if (Object.keys(suite.defaults || {}).length) {
          box.appendChild(el("p", "help defaults", labels.defaults + " " + readable(suite.defaults, suite.titles, labels)));
        }
        if (!suite.tests.length) { box.appendChild(el("p", "empty", labels.noTests)); return; }
        var wrap = el("div", "table-scroll");
        var table = el("table", "test-results");
        table.setAttribute("data-testid", "decision-tests");
        table.setAttribute("data-decision", suite.decision_id);
        var head = el("tr");
        [labels.testOutcome, labels.testName, labels.testArticle, labels.testInputs, labels.testExpected, labels.testActual]
          .concat(actions ? [labels.testActions] : [])
          .forEach(function (h) { head.appendChild(el("th", "", h)); });
        table.appendChild(el("thead")).appendChild(head);
        var body = el("tbody");
        suite.tests.forEach(function (t) { body.appendChild(row(suite, t)); });
        table.appendChild(body);
        wrap.appendChild(table);
        box.appendChild(wrap);
      });
      var add = document.getElementById("new-test");
      if (add) { add.disabled = !suites.length; }
    }

    // --- the form -------------------------------------------------------------------------

    function $(id) { return document.getElementById(id); }

    function addRow(list, datalist, name, value) {
      var line = el("div", "test-row");
      var n = el("input", "row-name");
      n.setAttribute("list", datalist);
      n.setAttribute("aria-label", labels.variable);
      n.setAttribute("placeholder", labels.variable);
      n.maxLength = 100;
      n.value = name || "";
      var v = el("input", "row-value");
      v.setAttribute("aria-label", labels.value);
      v.setAttribute("placeholder", labels.value);
      v.value = value || "";
      var drop = el("button", "link", labels.removeRow);
      drop.type = "button";
      drop.addEventListener("click", function () { line.remove(); });
      line.appendChild(n);
      line.appendChild(v);
      line.appendChild(drop);
      $(list).appendChild(line);
      return line;
    }

    function fillList(id, names, titles) {
      var list = $(id);
      list.textContent = "";
      names.forEach(function (name) {
        var o = el("option", "", titles && titles[name] ? titles[name] : "");
        o.value = name;
        list.appendChild(o);
      });
    }

    function clearErrors() {
      form.querySelectorAll(".field-error").forEach(function (n) { n.remove(); });
      form.querySelectorAll(".has-error").forEach(function (n) { n.classList.remove("has-error"); });
      $("test-form-status").hidden = true;
    }

    function showErrors(errors) {
      clearErrors();
      var shown = false;
      Object.keys(errors || {}).forEach(function (field) {
        var box = form.querySelector('[data-field="' + field + '"]');
        if (!box) { box = form.querySelector('[data-field="name"]'); }
        box.classList.add("has-error");
        [].concat(errors[field]).forEach(function (message) {
          var p = el("p", "field-error", typeof message === "string" ? message : JSON.stringify(message));
          p.setAttribute("data-error-for", field);
          box.appendChild(p);
        });
        shown = true;
      });
      return shown;
    }

    function setDecision(suite) {
      fillList("test-reads", suite.reads || [], suite.titles);
      fillList("test-outputs", suite.outputs || [], suite.titles);
    }

    function open(suite, test) {
      editing = { suite: suite, test: test || null };
      clearErrors();
      var select = $("test-decision");
      select.textContent = "";
      suites.forEach(function (s) {
        var o = el("option", "", s.decision_name);
        o.value = s.decision_id;
        o.selected = s === suite;
        select.appendChild(o);
      });
      $("test-decision-field").hidden = suites.length < 2 || !!test;
      setDecision(suite);
      $("test-form-title").textContent = test ? labels.editTestTitle.replace("{name}", test.name || test.test_id) : labels.newTestTitle;
      $("test-name").value = test ? test.name : "";
      $("test-id").value = test ? test.test_id : "";
      $("test-article").value = test ? test.article : "";
      idTouched = !!test;
      $("test-inputs").textContent = "";
      $("test-expected").textContent = "";
      var inputs = test ? rowsOf(test.inputs) : [];
      var expected = test ? rowsOf(test.expected) : (suite.outputs || []).map(function (o) { return [o, ""]; });
      if (!inputs.length) { inputs = [["", ""]]; }
      if (!expected.length) { expected = [["", ""]]; }
      inputs.forEach(function (p) { addRow("test-inputs", "test-reads", p[0], p[1]); });
      expected.forEach(function (p) { addRow("test-expected", "test-outputs", p[0], p[1]); });
      form.hidden = false;
      form.scrollIntoView({ block: "nearest" });
      $("test-name").focus();
    }

    function rows(list) {
      return Array.prototype.map.call($(list).querySelectorAll(".test-row"), function (line) {
        return [line.querySelector(".row-name").value.trim(), line.querySelector(".row-value").value];
      });
    }

    function wire() {
      if (!form || !actions) { return; }
      $("new-test").addEventListener("click", function () {
        if (suites.length) { open(suites[0], null); }
      });
      $("cancel-test").addEventListener("click", function () { form.hidden = true; editing = null; });
      $("add-input").addEventListener("click", function () { addRow("test-inputs", "test-reads", "", "").querySelector("input").focus(); });
      $("add-expected").addEventListener("click", function () { addRow("test-expected", "test-outputs", "", "").querySelector("input").focus(); });
      $("test-decision").addEventListener("change", function () {
        var chosen = suites.filter(function (s) { return s.decision_id === $("test-decision").value; })[0];
        if (chosen && editing) { editing.suite = chosen; setDecision(chosen); }
      });
      $("test-id").addEventListener("input", function () { idTouched = true; });
      $("test-name").addEventListener("input", function () {
        if (!idTouched) { $("test-id").value = slug($("test-name").value); }
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        if (!editing) { return; }
        var body = {
          decision_id: editing.suite.decision_id,
          replaces: editing.test ? editing.test.test_id : null,
          test_id: $("test-id").value.trim(),
          name: $("test-name").value.trim(),
          article: $("test-article").value.trim(),
          inputs: rows("test-inputs"),
          expected: rows("test-expected")
        };
        var button = form.querySelector("[type=submit]");
        button.disabled = true;
        clearErrors();
        actions.save(body).then(function () {
          form.hidden = true;
          editing = null;
        }).catch(function (err) {
          var errors = err && err.body && err.body.errors;
          if (err && err.status === 422 && errors && showErrors(errors)) {
            $("test-form-status").textContent = labels.testRefused;
          } else {
            $("test-form-status").textContent = (err && err.message) || "";
          }
          $("test-form-status").hidden = false;
        }).finally(function () { button.disabled = false; });
      });
    }

    wire();
    return { render: render, open: open };
  }

  window.ImpresaDecisionTests = { editor: TestEditor, slug: slug };

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
