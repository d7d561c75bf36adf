// Step-through replay of a case (auditors): fetches the page's replay.json (the steps rebuilt by
// the engine from the recorded events, with the BPMN XML of every process of the case), then a
// slider and previous/next buttons move over the steps. For each step: who/when/what, whether the
// rebuilt state matches the stored digest, the data diff, and the diagram with the path taken
// (done), the active tasks and the waiting elements, via the markers shared with diagram.js.
// The main process is shown first; the buttons above the diagram switch to a called process.
// Texts come from data-t-* attributes (Italian or English, rendered by the server).
(function () {
  "use strict";

  var root, doc, viewer, slider;
  var xmlOf = {};
  var diagramOf = {}; // workflow id (process or embedded sub-process) → the diagram drawing it
  var index = 0;
  var chosen = null; // the process the user picked (kept across steps while it exists)
  var shown = null; // the process whose XML is in the viewer
  var applied = []; // markers currently on the viewer
  var queue = Promise.resolve();

  function t(name, values) {
    var text = root.getAttribute("data-t-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(values[key]));
    });
    return text;
  }

  function part(role) { return root.querySelector('[data-role="' + role + '"]'); }
  function field(name) { return root.querySelector('[data-field="' + name + '"]'); }
  function label(key) { return (doc.labels && doc.labels[key]) || key; }

  function show(value) {
    if (value === null || value === undefined || value === "") { return "—"; }
    if (value === true) { return t("yes"); }
    if (value === false) { return t("no"); }
    if (Array.isArray(value)) { return value.length ? value.map(show).join(", ") : "—"; }
    if (typeof value === "object") {
      return Object.keys(value).map(function (k) { return k + ": " + show(value[k]); }).join("; ");
    }
    return String(value);
  }

  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (text, i) {
      var cell = document.createElement(i === 0 ? "th" : "td");
      if (i === 0) { cell.setAttribute("scope", "row"); }
      cell.textContent = text;
      tr.appendChild(cell);
    });
    return tr;
  }

  function renderDiff(step) {
    var changes = step.changes || {};
    var shown = step.shown || {}; // the server's readable values (labels, Italian dates, money)
    var any = false;
    ["added", "changed", "removed"].forEach(function (name) {
      var values = changes[name] || {};
      var keys = Object.keys(values).sort();
      var table = root.querySelector('table[data-part="' + name + '"]');
      var heading = root.querySelector('h3[data-part="' + name + '"]');
      var body = table.tBodies[0];
      body.textContent = "";
      var texts = shown[name] || {};
      keys.forEach(function (key) {
        var value = values[key];
        var text = texts[key];
        body.appendChild(name === "changed"
          ? row([label(key), text ? text.from : show(value && value.from), text ? text.to : show(value && value.to)])
          : row([label(key), text !== undefined ? text : show(value)]));
      });
      table.hidden = heading.hidden = keys.length === 0;
      table.setAttribute("data-count", String(keys.length));
      any = any || keys.length > 0;
    });
    var none = part("nochange");
    none.hidden = any;
    none.textContent = any ? "" : t("nochange");
    var withheld = part("withheld");
    var names = step.withheld || [];
    withheld.hidden = names.length === 0;
    withheld.textContent = names.length ? t("withheld", { fields: names.map(label).join(", ") }) : "";
  }

  function renderMark(step) {
    var mark = field("mark");
    var state = step.matches === true ? "ok" : step.matches === false ? "bad" : "none";
    mark.className = "mark " + state;
    mark.setAttribute("data-matches", state);
    mark.textContent = state === "ok" ? "✔ " + t("match") : state === "bad" ? "✘ " + t("mismatch") : t("nodigest");
  }

  // Diagrams of a step that can be drawn: the main process first, then the called ones.
  function processesOf(step) {
    var main = root.getAttribute("data-main");
    var ids = [];
    Object.keys(step.elements || {}).forEach(function (id) {
      var name = diagramOf[id];
      if (name && xmlOf[name] && ids.indexOf(name) < 0) { ids.push(name); }
    });
    ids.sort(function (a, b) { return (a === main ? -1 : b === main ? 1 : a < b ? -1 : a > b ? 1 : 0); });
    return ids;
  }

  function statesOf(step, name) {
    return window.ImpresaDiagram.merged(step.elements, diagramOf, name);
  }

  function renderSwitch(step, ids, current) {
    var box = part("processes");
    box.textContent = "";
    ids.forEach(function (id) {
      var button = document.createElement("button");
      var active = statesOf(step, id).active.length > 0;
      button.type = "button";
      button.className = "process" + (active ? " has-work" : "");
      button.setAttribute("data-process", id);
      button.setAttribute("aria-pressed", id === current ? "true" : "false");
      button.textContent = (doc.process_names && doc.process_names[id]) || id;
      button.addEventListener("click", function () {
        chosen = id;
        go(index);
      });
      box.appendChild(button);
    });
  }

  function draw(step, process, at) {
    var ready = process === shown
      ? Promise.resolve()
      : viewer.importXML(xmlOf[process]).then(function () {
        shown = process;
        applied = [];
        viewer.get("canvas").zoom("fit-viewport");
      });
    return ready.then(function () {
      if (at !== index) { return; } // the user moved on meanwhile: the next draw will mark
      window.ImpresaDiagram.unmark(viewer, applied);
      applied = window.ImpresaDiagram.mark(viewer, statesOf(step, process));
      // follow the case: full size on the step's active (else waiting) element, fitted if none
      window.ImpresaDiagram.focus(viewer, statesOf(step, process));
      root.setAttribute("data-process", process);
      root.setAttribute("data-rendered", "true");
    });
  }

  function go(target) {
    var steps = doc.steps;
    index = Math.max(0, Math.min(steps.length - 1, target));
    var step = steps[index];
    slider.value = String(index);
    part("position").textContent = t("position", { n: index + 1, total: steps.length });
    root.querySelector('[data-action="first"]').disabled = index === 0;
    root.querySelector('[data-action="prev"]').disabled = index === 0;
    root.querySelector('[data-action="next"]').disabled = index === steps.length - 1;
    root.querySelector('[data-action="last"]').disabled = index === steps.length - 1;
    field("at").textContent = step.at_label;
    field("actor").textContent = step.actor;
    field("kind_label").textContent = step.kind_label;
    field("task_name").textContent = step.task_name || "—";
    field("seqs").textContent = t("events", { seqs: step.seqs.join(", ") });
    field("status_label").textContent = step.status_label;
    field("ready").textContent = step.ready.length ? step.ready.join(", ") : "—";
    renderMark(step);
    renderDiff(step);

    var ids = processesOf(step);
    var main = root.getAttribute("data-main");
    var process = ids.indexOf(chosen) >= 0 ? chosen : ids.indexOf(main) >= 0 ? main : ids[0];
    renderSwitch(step, ids, process);
    root.setAttribute("data-step", String(index));
    root.setAttribute("data-rendered", "false");
    part("nodiagram").hidden = Boolean(process);
    part("nodiagram").textContent = process ? "" : t("nodiagram");
    if (!process) { return; }
    var at = index;
    queue = queue.then(function () { return draw(step, process, at); }).catch(function () {
      part("nodiagram").hidden = false;
      part("nodiagram").textContent = t("nodiagram");
    });
  }

  function initial(steps) {
    var seq = parseInt(root.getAttribute("data-seq"), 10);
    if (isNaN(seq)) { return 0; }
    var found = 0;
    steps.forEach(function (step, i) { if (step.seqs[0] <= seq) { found = i; } });
    return found;
  }

  function ready(body) {
    doc = body;
    var main = root.getAttribute("data-main");
    var names = doc.process_names || {};
    diagramOf = window.ImpresaDiagram.diagramIds(doc.diagrams || [], function (id) {
      return id === main || Object.prototype.hasOwnProperty.call(names, id);
    });
    (doc.diagrams || []).forEach(function (d) { xmlOf[d.process_id] = d.xml; });
    part("loading").hidden = true;
    var summary = part("summary");
    summary.hidden = false;
    summary.className = "replay-summary " + (doc.faithful ? "ok" : "bad");
    summary.setAttribute("data-faithful", doc.faithful ? "true" : "false");
    summary.textContent = doc.faithful ? t("faithful") : t("unfaithful", { seq: doc.first_mismatch });
    if (!doc.steps.length) { return; }
    part("controls").hidden = false;
    part("body").hidden = false;
    slider.max = String(doc.steps.length - 1);
    viewer = new window.BpmnJS({ container: part("canvas") });
    part("canvas").parentNode.insertBefore(window.ImpresaDiagram.zoomButtons(viewer), part("canvas"));
    root.setAttribute("data-steps", String(doc.steps.length));
    go(initial(doc.steps));
  }

  function fail(detail) {
    part("loading").hidden = false;
    part("loading").textContent = t("error", { detail: detail });
    root.setAttribute("data-rendered", "error");
  }

  function start() {
    root = document.getElementById("replay");
    if (!root || !window.BpmnJS || !window.ImpresaDiagram) { return; }
    slider = document.getElementById("replay-slider");
    slider.addEventListener("input", function () { go(parseInt(slider.value, 10)); });
    root.querySelector('[data-action="first"]').addEventListener("click", function () { go(0); });
    root.querySelector('[data-action="prev"]').addEventListener("click", function () { go(index - 1); });
    root.querySelector('[data-action="next"]').addEventListener("click", function () { go(index + 1); });
    root.querySelector('[data-action="last"]').addEventListener("click", function () { go(doc.steps.length - 1); });
    fetch(root.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (!response.ok) { throw new Error(body.detail || "HTTP " + response.status); }
          return body;
        });
      })
      .then(ready)
      .catch(function (err) { fail(err.message); });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
