// Entry of the decision-table editor's vendor bundle: web/vendor_assets.mjs bundles it with
// esbuild into web/static/vendor/dmn-modeler/impresa-dmn-vendor.js, an IIFE that sets
// window.ImpresaDmnKit: dmn-js's Modeler (decision requirements diagram and decision table
// editors) and its Italian. The page script is web/static/js/dmn_editor.js.
import "./csp_styles.mjs";
export { default as DmnModeler } from "dmn-js/lib/Modeler";
export { DMN_ITALIAN as italian } from "./modeler_i18n_it.mjs";
