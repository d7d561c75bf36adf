// Bottlenecks: the process diagram (bpmn-js NavigatedViewer, from /static/vendor) with, on each
// user task, its figures as an overlay and a heat marker (heat-0 … heat-3, app.css); selecting a
// task lists the cases there now (when the viewer may open them). The table below the diagram
// carries the same figures for screen readers and small screens.
(function () {
  "use strict";

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) { node.className = className; }
    return node;
  }

  function showCases(box, element) {
    box.textContent = "";
    if (!element) { return; }
    box.appendChild(text("h2", box.getAttribute("data-title") + " " + element.name));
    if (!element.cases.length) {
      box.appendChild(text("p", box.getAttribute("data-none"), "empty"));
      return;
    }
    var list = document.createElement("ul");
    element.cases.forEach(function (id) {
      var item = document.createElement("li");
      var link = text("a", "Caso " + id);
      link.href = "/cases/" + id;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function start() {
    var host = document.getElementById("heat");
    if (!host || !window.BpmnJS) { return; }
    var box = document.getElementById("heat-cases");
    fetch(host.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (doc) {
        var viewer = new window.BpmnJS({ container: host });
        return viewer.importXML(doc.xml).then(function () {
          var canvas = viewer.get("canvas");
          var overlays = viewer.get("overlays");
          var registry = viewer.get("elementRegistry");
          var byId = {};
          canvas.zoom("fit-viewport");
          doc.elements.forEach(function (e) {
            byId[e.id] = e;
            if (!registry.get(e.id)) { return; }
            if (e.level !== null) { canvas.addMarker(e.id, "heat-" + e.level); }
            var badge = text("div", e.now + " " + host.getAttribute("data-label-now") + " · " + e.p90_days + " " +
              host.getAttribute("data-label-p90") + " · " + e.overdue + " " + host.getAttribute("data-label-late"), "heat-badge");
            overlays.add(e.id, { position: { bottom: -4, left: 0 }, html: badge });
          });
          viewer.get("eventBus").on("element.click", function (event) {
            showCases(box, byId[event.element.id]);
          });
        });
      })
      .catch(function () { host.textContent = host.getAttribute("data-error"); });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
