// Properties-panel provider for the SpiffWorkflow extensions our diagrams use (no Spiff provider
// exists on npm): on a user task, the group "Modulo e scadenza" edits
//   <bpmn:extensionElements><spiffworkflow:properties>
//     <spiffworkflow:property name="formKey" value="…"/>   (also dueInDays, dueParam)
// through the moddle extension web/static/spiffworkflow-moddle.json, with bpmn-js commands (so
// undo/redo and "unsaved changes" work). Lane names, element names and timer expressions are
// edited by bpmn-js-properties-panel's own BPMN provider.
// Uses window.ImpresaModelerKit (vendor bundle: bpmn-js, properties panel, preact's h) and sets
// window.ImpresaSpiffProperties(options) → a bpmn-js module.
(function () {
  "use strict";

  var PROPERTIES = "spiffworkflow:Properties";
  var PROPERTY = "spiffworkflow:Property";

  function isA(element, type) {
    var bo = element && (element.businessObject || element);
    return !!(bo && bo.$instanceOf && bo.$instanceOf(type));
  }

  function propertiesOf(bo) {
    var ext = bo.get("extensionElements");
    var values = (ext && ext.get("values")) || [];
    return values.filter(function (v) { return isA(v, PROPERTIES); })[0];
  }

  function findProperty(bo, name) {
    var props = propertiesOf(bo);
    return props ? (props.get("properties") || []).filter(function (p) { return p.name === name; })[0] : undefined;
  }

  function getProperty(element, name) {
    var prop = findProperty(element.businessObject, name);
    return prop ? prop.value || "" : "";
  }

  // Set (or, with an empty value, remove) spiffworkflow:property `name` in one undoable step.
  function setProperty(element, name, value, bpmnFactory, commandStack) {
    var bo = element.businessObject;
    var commands = [];
    var ext = bo.get("extensionElements");
    var update = function (moddleElement, properties) {
      commands.push({ cmd: "element.updateModdleProperties", context: { element: element, moddleElement: moddleElement, properties: properties } });
    };
    var prop = findProperty(bo, name);
    value = (value || "").trim();
    if (!value) {
      if (!prop) { return; }
      var holder = propertiesOf(bo);
      update(holder, { properties: holder.get("properties").filter(function (p) { return p !== prop; }) });
    } else if (prop) {
      update(prop, { value: value });
    } else {
      if (!ext) {
        ext = bpmnFactory.create("bpmn:ExtensionElements", { values: [] });
        ext.$parent = bo;
        update(bo, { extensionElements: ext });
      }
      var props = propertiesOf(bo);
      if (!props) {
        props = bpmnFactory.create(PROPERTIES, { properties: [] });
        props.$parent = ext;
        update(ext, { values: (ext.get("values") || []).concat([props]) });
      }
      prop = bpmnFactory.create(PROPERTY, { name: name, value: value });
      prop.$parent = props;
      update(props, { properties: (props.get("properties") || []).concat([prop]) });
    }
    commandStack.execute("properties-panel.multi-command-executor", commands);
  }

  function create(options) {
    var Kit = window.ImpresaModelerKit;
    var labels = options.labels || {};
    var forms = options.forms || [];

    function PropertyEntry(props) {
      var element = props.element;
      var bpmnFactory = Kit.useService("bpmnFactory");
      var commandStack = Kit.useService("commandStack");
      var debounce = Kit.useService("debounceInput");
      return Kit.h(Kit.TextFieldEntry, {
        element: element,
        id: props.id,
        label: props.label,
        description: props.description,
        debounce: debounce,
        validate: props.validate,
        getValue: function () { return getProperty(element, props.name); },
        setValue: function (value) { setProperty(element, props.name, value, bpmnFactory, commandStack); }
      });
    }

    function entry(name, label, description, validate) {
      return {
        id: "spiff-" + name,
        name: name,
        label: label,
        description: description,
        validate: validate,
        component: PropertyEntry,
        isEdited: Kit.isTextFieldEntryEdited
      };
    }

    function validateForm(value) {
      if (value && forms.length && forms.indexOf(value.trim()) < 0) { return labels.unknownForm || "?"; }
    }

    function validateDays(value) {
      if (value && !/^\d{1,4}$/.test(value.trim())) { return "0–9999"; }
    }

    function SpiffPropertiesProvider(propertiesPanel) {
      propertiesPanel.registerProvider(500, this);
    }
    SpiffPropertiesProvider.$inject = ["propertiesPanel"];

    SpiffPropertiesProvider.prototype.getGroups = function (element) {
      return function (groups) {
        if (!isA(element, "bpmn:UserTask")) { return groups; }
        var group = {
          id: "spiffworkflow",
          label: labels.group || "SpiffWorkflow",
          component: Kit.Group,
          entries: [
            entry("formKey", labels.formKey || "formKey", labels.formKeyHelp, validateForm),
            entry("dueInDays", labels.dueInDays || "dueInDays", "", validateDays),
            entry("dueParam", labels.dueParam || "dueParam", labels.dueParamHelp)
          ]
        };
        var general = groups.findIndex(function (g) { return g.id === "general"; });
        groups.splice(general + 1, 0, group);
        return groups;
      };
    };

    return {
      __init__: ["spiffPropertiesProvider"],
      spiffPropertiesProvider: ["type", SpiffPropertiesProvider]
    };
  }

  window.ImpresaSpiffProperties = create;
  window.ImpresaSpiffProperties.getProperty = getProperty;
  window.ImpresaSpiffProperties.setProperty = setProperty;
})();
