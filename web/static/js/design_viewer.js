// Read-only diagrams of the process-design pages, drawn with the bpmn-js NavigatedViewer
// (window.BpmnJS, served from /static/vendor):
// - #version-diff: the visual diff between two versions: the new version with added (green) and
//   changed (orange) elements, the old version with the removed ones (red), plus the lists;
// - #dry-run-diagram: a draft with the path a dry run took (blue) and where it stopped (amber);
// - #readonly-diagram: a draft or library file opened with "Vedi".
(function () {
  "use strict";

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    });
  }

  // The process an element belongs to (participants name their process; lanes, flows and
  // nested elements find it through their parents).
  function processOf(bo) {
    for (var cur = bo; cur; cur = cur.$parent) {
      if (cur.$type === "bpmn:Process") { return cur.id; }
      if (cur.$type === "bpmn:Participant" && cur.processRef) { return cur.processRef.id; }
    }
    return null;
  }

  // Element id → [drawn element, process id]; ids of event definitions and loop markers point
  // to the element that draws them.
  function drawnIndex(viewer) {
    var index = {};
    viewer.get("elementRegistry").forEach(function (element) {
      if (element.type === "label" || !element.businessObject) { return; }
      var bo = element.businessObject;
      var pid = processOf(bo);
      index[bo.id] = [element, pid];
      (bo.eventDefinitions || []).concat(bo.loopCharacteristics ? [bo.loopCharacteristics] : []).forEach(function (inner) {
        if (inner && inner.id && !index[inner.id]) { index[inner.id] = [element, pid]; }
      });
    });
    return index;
  }

  // Mark ids (per process) with a class; returns how many elements got the marker.
  function markIds(viewer, byProcess, marker) {
    var index = drawnIndex(viewer);
    var canvas = viewer.get("canvas");
    var count = 0;
    Object.keys(byProcess).forEach(function (pid) {
      (byProcess[pid] || []).forEach(function (id) {
        var hit = index[id];
        if (hit && (!hit[1] || hit[1] === pid) && hit[0].id !== "__implicitroot") {
          canvas.addMarker(hit[0], marker);
          count += 1;
        }
      });
    });
    return count;
  }

  function definesProcess(viewer, pid) {
    var definitions = viewer.getDefinitions();
    return ((definitions && definitions.rootElements) || []).some(function (r) { return r.$type === "bpmn:Process" && r.id === pid; });
  }

  function diagramBox(container, title, cls) {
    var box = document.createElement("section");
    box.className = "diagram " + (cls || "");
    var h = document.createElement("h3");
    h.textContent = title;
    var host = document.createElement("div");
    host.className = "diagram-canvas";
    box.appendChild(h);
    box.appendChild(host);
    container.appendChild(box);
    return { box: box, host: host };
  }

  function bpmnFiles(files) {
    return Object.keys(files || {}).filter(function (name) { return /\.bpmn$/i.test(name); }).sort();
  }

  function byKind(diff, kind) {
    var out = {};
    Object.keys(diff.processes || {}).forEach(function (pid) {
      var entry = diff.processes[pid];
      out[pid] = kind === "changed" ? (entry.changed || []).map(function (c) { return c.id; }) : (entry[kind] || []);
    });
    return out;
  }

  function renderLists(target, diff, labels) {
    target.textContent = "";
    var pids = Object.keys(diff.processes || {});
    if (!pids.length) {
      var none = document.createElement("p");
      none.className = "empty";
      none.setAttribute("data-testid", "no-differences");
      none.textContent = labels.none;
      target.appendChild(none);
      return;
    }
    pids.forEach(function (pid) {
      var entry = diff.processes[pid];
      var h = document.createElement("h3");
      var code = document.createElement("code");
      code.textContent = pid;
      h.appendChild(code);
      target.appendChild(h);
      [["added", labels.added], ["changed", labels.changed], ["removed", labels.removed]].forEach(function (pair) {
        var items = entry[pair[0]] || [];
        if (!items.length) { return; }
        var p = document.createElement("p");
        p.className = pair[0];
        p.setAttribute("data-kind", pair[0]);
        p.appendChild(document.createTextNode(pair[1] + ": "));
        items.forEach(function (item, i) {
          var c = document.createElement("code");
          c.textContent = pair[0] === "changed" ? item.id : item;
          p.appendChild(c);
          if (pair[0] === "changed") {
            var aspects = (item.aspects || []).map(function (a) { return (labels.aspects || {})[a] || a; });
            p.appendChild(document.createTextNode(" (" + aspects.join(", ") + ")"));
          }
          if (i < items.length - 1) { p.appendChild(document.createTextNode(", ")); }
        });
        target.appendChild(p);
      });
    });
  }

  function versionDiff(root) {
    var labels = JSON.parse(root.getAttribute("data-labels") || "{}");
    var main = root.getAttribute("data-main");
    var lists = root.querySelector(".diff-lists");
    var newBox = root.querySelector(".diff-new");
    var oldBox = root.querySelector(".diff-old");
    return getJson(root.getAttribute("data-src")).then(function (diff) {
      renderLists(lists, diff, labels);
      var added = byKind(diff, "added");
      var changed = byKind(diff, "changed");
      var removed = byKind(diff, "removed");
      var draws = [];
      bpmnFiles(diff.new_files).forEach(function (name) {
        var parts = diagramBox(newBox, labels["new"] + " – " + name, "diagram-new");
        parts.box.setAttribute("data-file", name);
        var viewer = new window.BpmnJS({ container: parts.host });
        draws.push(viewer.importXML(diff.new_files[name]).then(function () {
          var marked = markIds(viewer, added, "d-added") + markIds(viewer, changed, "d-changed");
          if (!marked && !definesProcess(viewer, main)) { parts.box.remove(); return; }
          viewer.get("canvas").zoom("fit-viewport");
          parts.box.setAttribute("data-rendered", "true");
        }));
      });
      var anyRemoved = Object.keys(removed).some(function (pid) { return removed[pid].length; });
      if (anyRemoved) {
        bpmnFiles(diff.old_files).forEach(function (name) {
          var parts = diagramBox(oldBox, labels.old + " – " + name, "diagram-old");
          parts.box.setAttribute("data-file", name);
          var viewer = new window.BpmnJS({ container: parts.host });
          draws.push(viewer.importXML(diff.old_files[name]).then(function () {
            if (!markIds(viewer, removed, "d-removed")) { parts.box.remove(); return; }
            viewer.get("canvas").zoom("fit-viewport");
            parts.box.setAttribute("data-rendered", "true");
          }));
        });
      }
      return Promise.all(draws);
    });
  }

  // A dry run's diagram: the path up to the chosen step (blue), that step's own elements (darker)
  // and, at the last step, where the run stopped (amber). Each step of the list below the diagram
  // (li[data-path-length]) has a "Mostra sul diagramma" button choosing it; the whole run is shown first.
  function dryRun(root) {
    var path = JSON.parse(root.getAttribute("data-path") || "[]");
    var stopped = JSON.parse(root.getAttribute("data-stopped") || "[]");
    return getJson(root.getAttribute("data-src")).then(function (draft) {
      var viewer = new window.BpmnJS({ container: root });
      return viewer.importXML(draft.content).then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        var added = [];
        var steps = Array.prototype.slice.call(document.querySelectorAll("[data-testid=dry-run-steps] li[data-path-length]"));

        function add(id, marker) {
          if (registry.get(id)) { canvas.addMarker(id, marker); added.push([id, marker]); }
        }

        function show(index) {
          added.forEach(function (pair) { canvas.removeMarker(pair[0], pair[1]); });
          added = [];
          var last = index < 0 || index === steps.length - 1;
          var upTo = last ? path.length : Number(steps[index].getAttribute("data-path-length"));
          var from = index > 0 ? Number(steps[index - 1].getAttribute("data-path-length")) : 0;
          path.slice(0, upTo).forEach(function (id, i) { add(id, i >= from && index >= 0 ? "d-step" : "d-path"); });
          if (last) { stopped.forEach(function (id) { add(id, "d-stopped"); }); }
          steps.forEach(function (li, i) { li.classList.toggle("current", i === index); });
          var note = document.getElementById("dry-run-step-shown");
          if (note && index >= 0) {
            note.textContent = root.getAttribute("data-shown-label").replace("{step}", steps[index].getAttribute("data-title"));
          }
          root.setAttribute("data-step", String(index));
        }

        steps.forEach(function (li, i) {
          var button = li.querySelector(".show-step");
          if (button) {
            button.addEventListener("click", function () {
              show(i);
              root.scrollIntoView({ block: "nearest" });
            });
          }
        });
        show(-1); // the whole run first
        canvas.zoom("fit-viewport");
      });
    });
  }

  function run(id, draw) {
    var root = document.getElementById(id);
    if (!root || !window.BpmnJS) { return; }
    draw(root).then(function () {
      root.setAttribute("data-ready", "true");
    }).catch(function () {
      var p = document.createElement("p");
      p.className = "flash error";
      p.textContent = root.getAttribute("data-error");
      root.appendChild(p);
      root.setAttribute("data-ready", "error");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    run("version-diff", versionDiff);
    run("dry-run-diagram", dryRun);
    run("readonly-diagram", dryRun);  // "Vedi": the file drawn, nothing marked
  });
})();
