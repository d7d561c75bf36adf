// Interactive API docs built from /api/v1/openapi.json with own code only (CSP: script-src 'self').
// Lists every operation with its parameters and schemas, and can send a request with a token.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function resolve(spec, schema) {
    if (schema && schema.$ref) {
      var path = schema.$ref.replace(/^#\//, "").split("/");
      return path.reduce(function (node, key) { return node[key]; }, spec);
    }
    return schema;
  }

  function sample(spec, schema, depth) {
    schema = resolve(spec, schema) || {};
    if (depth > 4) { return null; }
    if (schema.type === "object" || schema.properties) {
      var out = {};
      Object.keys(schema.properties || {}).forEach(function (k) {
        if ((schema.required || []).indexOf(k) >= 0) { out[k] = sample(spec, schema.properties[k], depth + 1); }
      });
      return out;
    }
    if (schema.type === "array") { return []; }
    if (schema.enum) { return schema.enum[0]; }
    if (schema.type === "integer" || schema.type === "number") { return schema.minimum || 1; }
    if (schema.type === "boolean") { return true; }
    return "";
  }

  function operation(spec, path, method, op, labels) {
    var box = el("details", { "class": "operation", "data-operation": method.toUpperCase() + " " + path });
    var summary = el("summary");
    summary.appendChild(el("code", { "class": "method " + method }, method.toUpperCase()));
    summary.appendChild(document.createTextNode(" " + path + " – " + (op.summary || "")));
    box.appendChild(summary);
    if (op.description) { box.appendChild(el("p", {}, op.description)); }

    var form = el("form", { "class": "try" });
    var inputs = {};
    (op.parameters || []).forEach(function (p) {
      var id = "p-" + method + path.replace(/[^a-z0-9]/gi, "-") + "-" + p.name;
      var wrap = el("div", { "class": "field" });
      wrap.appendChild(el("label", { "for": id }, p.name + " (" + p.in + ")" + (p.required ? " *" : "")));
      var input = el("input", { id: id, name: p.name });
      inputs[p.name] = { param: p, input: input };
      wrap.appendChild(input);
      form.appendChild(wrap);
    });
    var body = null;
    if (op.requestBody) {
      var media = op.requestBody.content["application/json"];
      var bodyId = "b-" + method + path.replace(/[^a-z0-9]/gi, "-");
      form.appendChild(el("label", { "for": bodyId }, labels.body));
      body = el("textarea", { id: bodyId, rows: "6" });
      body.value = JSON.stringify(sample(spec, media && media.schema, 0), null, 2);
      form.appendChild(body);
    }
    var responses = el("p", { "class": "responses" }, "→ " + Object.keys(op.responses || {}).join(", "));
    form.appendChild(responses);
    var button = el("button", { type: "submit" }, labels.send);
    form.appendChild(button);
    var output = el("pre", { "class": "response", "aria-live": "polite" });
    form.appendChild(output);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = path;
      var query = new URLSearchParams();
      Object.keys(inputs).forEach(function (name) {
        var entry = inputs[name];
        var value = entry.input.value;
        if (entry.param.in === "path") { url = url.replace("{" + name + "}", encodeURIComponent(value)); }
        else if (value !== "") { query.append(name, value); }
      });
      var qs = query.toString();
      var token = document.getElementById("api-token").value.trim();
      var headers = { Accept: "application/json" };
      if (token) { headers.Authorization = "Bearer " + token; }
      if (body) { headers["Content-Type"] = "application/json"; }
      fetch(url + (qs ? "?" + qs : ""), { method: method.toUpperCase(), headers: headers, body: body ? body.value : undefined, credentials: "omit" })
        .then(function (response) {
          return response.text().then(function (text) {
            var pretty = text;
            try { pretty = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
            output.textContent = labels.response + ": " + response.status + "\n" + pretty;
          });
        })
        .catch(function (err) { output.textContent = String(err); });
    });
    box.appendChild(form);
    return box;
  }

  function start() {
    var root = document.getElementById("api-docs");
    if (!root) { return; }
    var labels = { send: root.getAttribute("data-send"), body: root.getAttribute("data-body"), response: root.getAttribute("data-response") };
    fetch(root.getAttribute("data-spec"), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (spec) {
        root.textContent = "";
        root.appendChild(el("p", { "class": "api-title" }, spec.info.title + " " + spec.info.version));
        Object.keys(spec.paths).sort().forEach(function (path) {
          Object.keys(spec.paths[path]).forEach(function (method) {
            if (["get", "post", "put", "delete", "patch"].indexOf(method) >= 0) {
              root.appendChild(operation(spec, path, method, spec.paths[path][method], labels));
            }
          });
        });
        root.setAttribute("data-ready", "true");
      });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
