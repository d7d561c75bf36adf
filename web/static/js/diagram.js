// Case diagram: bpmn-js NavigatedViewer (served from /static/vendor, pinned in package-lock.json)
// renders each process of the case and marks completed, active and waiting elements.
// window.ImpresaDiagram.mark/unmark are shared with the step-through replay (replay.js).
(function () {
  "use strict";

  // element state in the JSON → CSS marker class (app.css)
  var MARKERS = [["completed", "done"], ["active", "active"], ["waiting", "waiting"]];

  // Add the markers of entry ({completed, active, waiting}: lists of BPMN ids) to a rendered
  // viewer; returns what was added, for unmark.
  function mark(viewer, entry) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var added = [];
    MARKERS.forEach(function (pair) {
      ((entry && entry[pair[0]]) || []).forEach(function (id) {
        if (registry.get(id)) {
          canvas.addMarker(id, pair[1]);
          added.push([id, pair[1]]);
        }
      });
    });
    return added;
  }

  function unmark(viewer, added) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    (added || []).forEach(function (pair) {
      if (registry.get(pair[0])) { canvas.removeMarker(pair[0], pair[1]); }
    });
  }

  // The engine keys element states by workflow: a process, or an embedded (event) sub-process,
  // which is drawn inside its process' diagram. Entries whose XML is the same file are one
  // diagram: returns id → the id that names the diagram (preferred ids first, e.g. the main
  // process or a deployed one; else the first met).
  function diagramIds(entries, preferred) {
    var byXml = {};
    var result = {};
    entries.forEach(function (entry) { (byXml[entry.xml] = byXml[entry.xml] || []).push(entry.process_id); });
    Object.keys(byXml).forEach(function (xml) {
      var ids = byXml[xml];
      var name = ids.filter(function (id) { return preferred(id); })[0] || ids[0];
      ids.forEach(function (id) { result[id] = name; });
    });
    return result;
  }

  // The element states of every workflow drawn in diagram ``name``, merged.
  function merged(states, ids, name) {
    var out = { completed: [], active: [], waiting: [] };
    Object.keys(states || {}).forEach(function (id) {
      if (ids[id] !== name) { return; }
      MARKERS.forEach(function (pair) {
        out[pair[0]] = out[pair[0]].concat((states[id] || {})[pair[0]] || []);
      });
    });
    return out;
  }

  window.ImpresaDiagram = {
    mark: mark, unmark: unmark, diagramIds: diagramIds, merged: merged, focus: focus, zoomButtons: zoomButtons
  };

  var WORDS = {
    it: { zoomIn: "Ingrandisci", zoomOut: "Riduci", fit: "Adatta alla finestra", done: "concluso: apri il diagramma" },
    en: { zoomIn: "Zoom in", zoomOut: "Zoom out", fit: "Fit to window", done: "finished: open the diagram" }
  };
  function words() { return WORDS[document.documentElement.lang] || WORDS.it; }

  // Where the case is, readable: zoom 1:1 centred on the first active (else waiting) element
  // that is a step, not a sub-process holding it (an expanded sub-process is active while any of
  // its steps is, and centring on a wide one would leave the step off screen);
  // a diagram with nothing going on is fitted to its box.
  function focus(viewer, entry) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    var found = ((entry.active || []).concat(entry.waiting || [])).map(function (x) { return registry.get(x); })
      .filter(function (el) { return el; });
    var steps = found.filter(function (el) { return el.type !== "bpmn:SubProcess" || el.collapsed; });
    var el = steps[0] || found[0];
    canvas.zoom("fit-viewport");
    if (!el) { return; }
    canvas.zoom(1);
    var box = canvas.viewbox();
    canvas.viewbox({ x: el.x + el.width / 2 - box.width / 2, y: el.y + el.height / 2 - box.height / 2, width: box.width, height: box.height });
  }

  function zoomButtons(viewer, entry) {
    var bar = document.createElement("div");
    bar.className = "diagram-zoom";
    bar.setAttribute("role", "group");
    var w = words();
    [["+", w.zoomIn, function (c) { c.zoom(c.zoom() * 1.25); }],
     ["−", w.zoomOut, function (c) { c.zoom(c.zoom() / 1.25); }],
     ["⤢", w.fit, function (c) { c.zoom("fit-viewport"); }]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = spec[0];
      button.setAttribute("aria-label", spec[1]);
      button.title = spec[1];
      button.addEventListener("click", function () { spec[2](viewer.get("canvas")); });
      bar.appendChild(button);
    });
    return bar;
  }

  function render(box, canvasHost, entry) {
    var viewer = new window.BpmnJS({ container: canvasHost });
    return viewer.importXML(entry.xml).then(function () {
      focus(viewer, entry);
      mark(viewer, entry);
      box.insertBefore(zoomButtons(viewer, entry), canvasHost);
      box.setAttribute("data-rendered", "true");
    });
  }

  // A process with work or waits is drawn at once; a finished one (a sub-process the case has
  // left) stays folded and is drawn when opened.
  function show(container, entry) {
    var live = (entry.active || []).length + (entry.waiting || []).length > 0;
    var box = document.createElement(live ? "section" : "details");
    box.className = "diagram";
    box.setAttribute("data-process", entry.process_id);
    var title = document.createElement("h3");
    title.textContent = entry.name || entry.process_id;
    var canvasHost = document.createElement("div");
    canvasHost.className = "diagram-canvas";
    if (live) {
      box.appendChild(title);
    } else {
      var summary = document.createElement("summary");
      var note = document.createElement("small");
      note.textContent = " (" + words().done + ")";
      title.appendChild(note);
      summary.appendChild(title);
      box.appendChild(summary);
    }
    box.appendChild(canvasHost);
    container.appendChild(box);
    if (live) { return render(box, canvasHost, entry); }
    var drawn = null;
    box.addEventListener("toggle", function () {
      if (box.open && !drawn) { drawn = render(box, canvasHost, entry); }
    });
    return Promise.resolve();
  }

  function start() {
    var container = document.getElementById("diagrams");
    if (!container || !window.BpmnJS) { return; }
    fetch(container.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (entries) {
        container.textContent = "";
        // one diagram per file: an embedded sub-process' marks go on its process' diagram
        // (the engine lists the main process before the workflows it contains: first met names it)
        var ids = diagramIds(entries, function () { return false; });
        var states = {};
        entries.forEach(function (entry) { states[entry.process_id] = entry; });
        var drawn = entries.filter(function (entry) { return ids[entry.process_id] === entry.process_id; }).map(function (entry) {
          var marks = merged(states, ids, entry.process_id);
          return { process_id: entry.process_id, name: entry.name, xml: entry.xml, completed: marks.completed, active: marks.active, waiting: marks.waiting };
        });
        // The innermost process with work first: that is where the case is.
        drawn.sort(function (a, b) { return (b.active || []).length - (a.active || []).length; });
        return Promise.all(drawn.map(function (entry) { return show(container, entry); }));
      })
      .then(function () { container.setAttribute("data-ready", "true"); })
      .catch(function () {
        container.textContent = container.getAttribute("data-error");
        container.setAttribute("data-ready", "error");
      });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
