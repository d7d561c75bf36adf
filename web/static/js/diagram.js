// Case diagram: bpmn-js NavigatedViewer (served from /static/vendor, pinned in package-lock.json)
// renders each process of the case and marks completed, active and waiting elements.
(function () {
  "use strict";

  function show(container, entry) {
    var box = document.createElement("section");
    box.className = "diagram";
    box.setAttribute("data-process", entry.process_id);
    var title = document.createElement("h3");
    title.textContent = entry.process_id;
    var canvasHost = document.createElement("div");
    canvasHost.className = "diagram-canvas";
    box.appendChild(title);
    box.appendChild(canvasHost);
    container.appendChild(box);

    var viewer = new window.BpmnJS({ container: canvasHost });
    return viewer.importXML(entry.xml).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      [["completed", "done"], ["active", "active"], ["waiting", "waiting"]].forEach(function (pair) {
        (entry[pair[0]] || []).forEach(function (id) {
          if (registry.get(id)) { canvas.addMarker(id, pair[1]); }
        });
      });
      box.setAttribute("data-rendered", "true");
    });
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
        // The innermost process with work first: that is where the case is.
        entries.sort(function (a, b) { return (b.active || []).length - (a.active || []).length; });
        return Promise.all(entries.map(function (entry) { return show(container, entry); }));
      })
      .then(function () { container.setAttribute("data-ready", "true"); })
      .catch(function () {
        container.textContent = container.getAttribute("data-error");
        container.setAttribute("data-ready", "error");
      });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
