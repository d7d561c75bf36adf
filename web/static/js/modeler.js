// The process modeler: bpmn-js Modeler with the properties panel (vendor bundle, no CDN) and our
// Spiff properties provider (spiff_properties.js). Loads the draft (GET …/drafts/<id>.json),
// saves it (POST the same URL with {xml, note}, CSRF header), shows every problem the server's
// validation found: listed with its message, the element marked on the canvas with a badge;
// clicking a message selects the element. Deploy stays disabled while there are problems or
// unsaved changes (the server refuses it anyway). DMN drafts are edited with dmn-js
// (dmn_editor.js), with their decision tests run from the page and the rule diff as a table.
// window.ImpresaDesigner = {modeler, save(), problems} is exposed for tests and the console.
(function () {
  "use strict";

  var root, labels, kind, modeler, markers = [], dirty = false, problems = [];

  // bpmn-js, the properties panel and the token simulation speak English: in Italian pages every
  // string goes through the bundle's Italian set (web/modeler_i18n_it.mjs, complete for the
  // bundled sources: the build checks it). Strings asked for without a translation are kept in
  // window.ImpresaDesigner.untranslated, which the browser test checks stays empty.
  var untranslated = [];

  function translateModule() {
    var italian = (document.documentElement.lang || "it") === "it";
    var words = window.ImpresaModelerKit.italian || {};
    return {
      translate: ["value", function (template, replacements) {
        var text = template;
        if (italian) {
          if (Object.prototype.hasOwnProperty.call(words, template)) { text = words[template]; }
          else if (untranslated.indexOf(template) < 0) { untranslated.push(template); }
        }
        return text.replace(/{([^}]+)}/g, function (match, key) {
          return replacements && Object.prototype.hasOwnProperty.call(replacements, key) ? replacements[key] : match;
        });
      }]
    };
  }

  function $(id) { return document.getElementById(id); }

  function request(url, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    return fetch(url, options).then(function (response) {
      return response.text().then(function (text) {
        var body = null;
        try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
        if (!response.ok) {
          var err = new Error((body && body.detail) || ("HTTP " + response.status));
          err.status = response.status;
          err.body = body;
          throw err;
        }
        return body;
      });
    });
  }

  function setStatus(text, tone) {
    var status = $("save-status");
    status.textContent = text || "";
    status.className = tone || "";
  }

  function updateDeploy() {
    var button = $("deploy-button");
    if (button) { button.disabled = dirty || problems.length > 0; }
  }

  function markDirty() {
    dirty = true;
    setStatus(labels.unsaved, "");
    updateDeploy();
  }

  // --- problems: list + canvas markers --------------------------------------------------

  function clearMarkers() {
    if (!modeler) { markers = []; return; }
    var canvas = modeler.get("canvas");
    var registry = modeler.get("elementRegistry");
    markers.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, "d-problem"); } });
    modeler.get("overlays").remove({ type: "problem" });
    markers = [];
  }

  function inThisFile(problem) {
    return !problem.file || problem.file === root.getAttribute("data-file");
  }

  function showProblems(list) {
    problems = list || [];
    var summary = $("problems-summary");
    summary.textContent = problems.length ? labels.problemCount.replace("{n}", problems.length) : labels.noProblems;
    summary.className = problems.length ? "bad" : "ok";
    var ul = $("problems");
    ul.textContent = "";
    problems.forEach(function (problem) {
      var li = document.createElement("li");
      li.setAttribute("data-element", problem.element || "");
      if (!inThisFile(problem)) { li.className = "is-other-file"; }
      // a DMN cell is named as the designer sees it (rule and column), never by its id
      var place = kind === "dmn" && window.ImpresaDmnEditor ? window.ImpresaDmnEditor.where(problem, labels) : null;
      if (problem.element && (kind !== "dmn" || place)) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link select-element";
        button.setAttribute("data-element", problem.element);
        var code = document.createElement(place ? "strong" : "code");
        code.textContent = place || problem.element;
        button.appendChild(code);
        li.appendChild(button);
        li.appendChild(document.createTextNode(" "));
      }
      if (!inThisFile(problem)) {
        var where = document.createElement("small");
        where.textContent = "(" + labels.otherFile + ": " + problem.file + (problem.line ? ":" + problem.line : "") + ") ";
        li.appendChild(where);
      }
      var message = document.createElement("span");
      message.className = "message";
      message.textContent = problem.text || problem.message; // the page's language (server side)
      li.appendChild(message);
      ul.appendChild(li);
    });
    markProblems();
    if (kind === "dmn" && window.ImpresaDmnEditor) { window.ImpresaDmnEditor.mark(problems); }
    updateDeploy();
  }

  function markProblems() {
    clearMarkers();
    if (!modeler) { return; }
    var canvas = modeler.get("canvas");
    var registry = modeler.get("elementRegistry");
    var overlays = modeler.get("overlays");
    var counts = {};
    problems.filter(inThisFile).forEach(function (problem) {
      if (problem.element && registry.get(problem.element)) { counts[problem.element] = (counts[problem.element] || 0) + 1; }
    });
    Object.keys(counts).forEach(function (id) {
      canvas.addMarker(id, "d-problem");
      var badge = document.createElement("span");
      badge.className = "problem-badge";
      badge.setAttribute("data-problem", id);
      badge.textContent = counts[id] > 1 ? "!" + counts[id] : "!";
      overlays.add(id, "problem", { position: { top: -10, right: 10 }, html: badge });
      markers.push(id);
    });
  }

  function selectElement(id) {
    if (kind === "dmn") {
      var problem = problems.filter(function (p) { return p.element === id; })[0];
      if (problem) { window.ImpresaDmnEditor.reveal(problem); }
      return;
    }
    if (!modeler) { return; }
    var element = modeler.get("elementRegistry").get(id);
    if (!element) { return; }
    modeler.get("selection").select(element);
    try { modeler.get("canvas").scrollToElement(element); } catch (e) { /* older diagram-js */ }
  }

  // --- differences against the deployed library ------------------------------------------

  function showChanges() {
    var box = $("changes");
    if (kind === "dmn") { return showRuleChanges(box); }
    return request(root.getAttribute("data-diff")).then(function (diff) {
      box.textContent = "";
      var processes = Object.keys((diff && diff.processes) || {});
      if (!processes.length) {
        var p = document.createElement("p");
        p.className = "empty";
        p.textContent = labels.noChanges;
        box.appendChild(p);
        return;
      }
      processes.forEach(function (pid) {
        var entry = diff.processes[pid];
        var p = document.createElement("p");
        var code = document.createElement("code");
        code.textContent = pid;
        p.appendChild(code);
        p.appendChild(document.createTextNode(": " + [
          labels.added + " " + (entry.added || []).length,
          labels.changed + " " + (entry.changed || []).length,
          labels.removed + " " + (entry.removed || []).length
        ].join(", ")));
        var ids = (entry.added || []).concat((entry.changed || []).map(function (c) { return c.id; }), entry.removed || []);
        if (ids.length) {
          var small = document.createElement("small");
          small.textContent = " (" + ids.slice(0, 30).join(", ") + (ids.length > 30 ? ", …" : "") + ")";
          p.appendChild(small);
        }
        box.appendChild(p);
      });
    }).catch(function () { box.textContent = ""; });
  }

  // A DMN draft: its rules added, removed or changed against the deployed file, as a table.
  function showRuleChanges(box) {
    return request(root.getAttribute("data-rule-diff")).then(function (doc) {
      box.textContent = "";
      if (!doc.changes.length) {
        var p = document.createElement("p");
        p.className = "empty";
        p.textContent = doc.new_file ? labels.newFile : labels.noRuleChanges;
        box.appendChild(p);
        return;
      }
      box.appendChild(window.ImpresaRuleDiff(doc.changes, labels));
    }).catch(function () { box.textContent = ""; });
  }

  // The decision tests kept in the DMN file, run by the server; a failing one blocks deployment.
  // Written on the page too: each test goes to the server, which writes it into the file and
  // saves the draft (unsaved table changes are saved first); the editor then loads that file.
  var testEditor = null;

  function runTests() {
    var box = $("decision-tests");
    if (!box) { return Promise.resolve(); }
    box.setAttribute("data-ready", "false");
    return request(root.getAttribute("data-tests")).then(function (doc) {
      testEditor.render(doc);
      box.setAttribute("data-ready", "true");
    }).catch(function (err) {
      box.textContent = labels.testsUnavailable + " " + (err && err.message ? err.message : "");
      box.setAttribute("data-ready", "error");
    });
  }

  function writeTests(url, body, done) {
    setStatus(labels.testSaving, "");
    var saved = dirty ? save() : Promise.resolve();
    return saved.then(function () {
      body.revision = Number(root.getAttribute("data-revision"));
      return request(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf") },
        body: JSON.stringify(body)
      });
    }).then(function (result) {
      var draft = result.draft;
      root.setAttribute("data-revision", String(draft.revision));
      return window.ImpresaDmnEditor.reload(draft.content).then(function () {
        dirty = false;
        showProblems(draft.problems);
        testEditor.render(result.tests);
        $("decision-tests").setAttribute("data-ready", "true");
        setStatus(draft.problems.length ? done + " " + labels.savedProblems : done, draft.problems.length ? "bad" : "ok");
        root.setAttribute("data-saved", String(Date.now()));
        showChanges();
        return result;
      });
    }).catch(function (err) {
      var errors = (err.body && err.body.errors) || {};
      if (errors.conflict || errors.lock) {
        setStatus((errors.conflict || errors.lock).message, "bad");
        if (errors.conflict) { showConflict(errors.conflict); }
      } else if (err.status !== 422) {
        setStatus(labels.failed + " " + err.message, "bad");
      } else {
        setStatus("", "");
      }
      throw err;
    });
  }

  function startTests() {
    var box = $("decision-tests");
    if (!box) { return; }
    testEditor = window.ImpresaDecisionTests.editor(box, labels, {
      save: function (body) { return writeTests(root.getAttribute("data-tests"), body, labels.testSaved); },
      remove: function (body) { return writeTests(root.getAttribute("data-test-delete"), body, labels.testDeleted); }
    });
    window.ImpresaDesigner.tests = testEditor;
    $("run-tests").addEventListener("click", function () { runTests(); });
    runTests();
  }

  // --- save ------------------------------------------------------------------------------

  function currentXml() {
    if (kind === "dmn") { return window.ImpresaDmnEditor.xml(); }
    return modeler.saveXML({ format: true }).then(function (result) { return result.xml; });
  }

  function save() {
    var button = $("save-button");
    button.disabled = true;
    setStatus(labels.saving, "");
    return currentXml().then(function (xml) {
      return request(root.getAttribute("data-src"), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf") },
        body: JSON.stringify({ xml: xml, note: $("save-note").value, revision: Number(root.getAttribute("data-revision")) })
      });
    }).then(function (draft) {
      dirty = false;
      root.setAttribute("data-revision", String(draft.revision));
      $("conflict").hidden = true;
      showProblems(draft.problems);
      setStatus(draft.problems.length ? labels.savedProblems : labels.saved, draft.problems.length ? "bad" : "ok");
      root.setAttribute("data-saved", String(Date.now()));
      showChanges();
      if (kind === "dmn") { runTests(); }
      return draft;
    }).catch(function (err) {
      var details = [];
      var errors = (err.body && err.body.errors) || {};
      Object.keys(errors).forEach(function (key) { details = details.concat(errors[key]); });
      if (errors.conflict || errors.lock) {
        // someone else saved since this page loaded, or holds the lock: say who, show their changes
        setStatus((errors.conflict || errors.lock).message, "bad");
        if (errors.conflict) { showConflict(errors.conflict); }
        throw err;
      }
      var prefix = err.status === 422 ? labels.refused : labels.failed;
      setStatus([prefix, err.message].concat(details).join(" "), "bad");
      throw err;
    }).finally(function () {
      button.disabled = false;
      updateDeploy();
    });
  }

  // A refused stale save: the other person's changes, as rules (DMN) and as lines of the file.
  function showConflict(conflict) {
    $("conflict").hidden = false;
    $("conflict-message").textContent = conflict.message;
    var rules = $("conflict-rules");
    rules.textContent = "";
    if (window.ImpresaRuleDiff && conflict.rules && conflict.rules.length) {
      rules.appendChild(window.ImpresaRuleDiff(conflict.rules, labels));
    }
    var pre = $("conflict-lines");
    pre.textContent = "";
    (conflict.lines || []).forEach(function (line) {
      var span = document.createElement("span");
      var header = line.indexOf("+++") === 0 || line.indexOf("---") === 0 || line.indexOf("@@") === 0;
      span.className = header ? "d-head" : line.charAt(0) === "+" ? "d-add" : line.charAt(0) === "-" ? "d-del" : "";
      span.textContent = line + "\n";
      pre.appendChild(span);
    });
  }

  // --- the edit lock: renewed while the page is open ---------------------------------------

  function when(iso) {
    var lang = document.documentElement.lang === "en" ? "en-GB" : "it-IT";
    return new Date(iso).toLocaleString(lang, { dateStyle: "short", timeStyle: "short" });
  }

  // Renew at half the lock's life (at most every 5 minutes); when someone took the lock (an
  // administrator broke it, or it lapsed while the computer slept) say who, at once.
  function keepLock(lock) {
    if (!lock || !root.getAttribute("data-lock")) { return; }
    var life = new Date(lock.expires_at) - new Date(lock.since);
    var every = Math.max(15000, Math.min(300000, life / 2));
    var note = document.querySelector("[data-testid=lock-note]");
    window.ImpresaDesigner.renewLock = function () {
      return request(root.getAttribute("data-lock"), {
        method: "POST",
        headers: { "X-CSRFToken": root.getAttribute("data-csrf") }
      }).then(function (doc) {
        if (note) { note.textContent = labels.lockRenewed.replace("{until}", when(doc.lock.expires_at)); note.className = "lock-note"; }
        $("save-button").disabled = false;
        return doc;
      }).catch(function (err) {
        var lost = err.body && err.body.errors && err.body.errors.lock;
        if (lost && note) { note.textContent = lost.message; note.className = "lock-note bad"; }
        if (lost) { $("save-button").disabled = true; }
      });
    };
    window.setInterval(window.ImpresaDesigner.renewLock, every);
  }

  // --- start -----------------------------------------------------------------------------

  function startBpmn(draft, descriptor) {
    var Kit = window.ImpresaModelerKit;
    var spiff = window.ImpresaSpiffProperties({
      labels: labels,
      forms: JSON.parse(root.getAttribute("data-forms") || "[]")
    });
    modeler = new Kit.Modeler({
      container: $("canvas"),
      propertiesPanel: {
        parent: $("properties"),
        layout: { groups: { general: { open: true }, spiffworkflow: { open: true }, timer: { open: true } } }
      },
      additionalModules: [translateModule(), Kit.BpmnPropertiesPanelModule, Kit.BpmnPropertiesProviderModule, spiff, Kit.TokenSimulationModule],
      moddleExtensions: { spiffworkflow: descriptor }
    });
    window.ImpresaDesigner.modeler = modeler;
    return modeler.importXML(draft.content).then(function () {
      modeler.get("canvas").zoom("fit-viewport");
      modeler.on("commandStack.changed", markDirty);
      showProblems(draft.problems);
    });
  }

  function start() {
    root = $("modeler");
    if (!root) { return; }
    labels = JSON.parse(root.getAttribute("data-labels") || "{}");
    kind = root.getAttribute("data-kind");
    window.ImpresaDesigner = { modeler: null, save: save, problems: function () { return problems; }, select: selectElement, untranslated: untranslated };
    document.addEventListener("click", function (event) {
      var target = event.target instanceof Element ? event.target.closest(".select-element") : null;
      if (target) { event.preventDefault(); selectElement(target.getAttribute("data-element")); }
    });
    $("save-button").addEventListener("click", function () { save().catch(function () { /* shown */ }); });
    $("deploy-form").addEventListener("submit", function (event) {
      if (dirty || problems.length) { event.preventDefault(); }
    });
    var loading = kind === "dmn"
      ? request(root.getAttribute("data-src")).then(function (draft) {
        window.ImpresaDesigner.dmn = window.ImpresaDmnEditor;
        return window.ImpresaDmnEditor.start($("dmn-editor"), draft.content, markDirty).then(function () {
          showProblems(draft.problems);
          startTests();
        });
      })
      : Promise.all([request(root.getAttribute("data-src")), request(root.getAttribute("data-descriptor"))])
        .then(function (both) { return startBpmn(both[0], both[1]); });
    loading.then(function () {
      if (root.getAttribute("data-lock-since")) {
        keepLock({ since: root.getAttribute("data-lock-since"), expires_at: root.getAttribute("data-lock-expires") });
      }
      $("save-button").disabled = false;
      root.setAttribute("data-ready", "true");
      showChanges();
    }).catch(function (err) {
      setStatus(labels.loadFailed + " " + (err && err.message ? err.message : err), "bad");
      root.setAttribute("data-ready", "error");
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
