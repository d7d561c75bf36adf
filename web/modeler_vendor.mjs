// Entry of the modeler's vendor bundle: web/vendor_assets.mjs (npm postinstall) bundles it with
// esbuild into web/static/vendor/bpmn-modeler/impresa-modeler-vendor.js, an IIFE that sets
// window.ImpresaModelerKit. Only third-party code (and its Italian) lives here; the app's own
// modeler scripts (web/static/js/modeler.js, spiff_properties.js, …) stay plain files that use
// this global. One bundle so the properties panel, our own Spiff properties provider, the token
// simulation and bpmn-js share one copy of preact and of diagram-js.
import "./csp_styles.mjs";
export { default as Modeler } from "bpmn-js/lib/Modeler";
export { default as NavigatedViewer } from "bpmn-js/lib/NavigatedViewer";
export { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, useService } from "bpmn-js-properties-panel";
export { TextFieldEntry, isTextFieldEntryEdited, Group } from "@bpmn-io/properties-panel";
export { h } from "@bpmn-io/properties-panel/preact";
export { default as TokenSimulationModule } from "bpmn-js-token-simulation/lib/modeler";
export { BPMN_ITALIAN as italian } from "./modeler_i18n_it.mjs";
