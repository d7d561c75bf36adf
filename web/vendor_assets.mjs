// Copies the pinned bpmn-js build from node_modules into web/static/vendor (run by `npm ci`), and
// bundles with esbuild:
// - the BPMN modeler (bpmn-js Modeler + properties panel + token simulation + Italian; entry
//   web/modeler_vendor.mjs) into web/static/vendor/bpmn-modeler/;
// - the DMN editor (dmn-js Modeler: decision requirements diagram and decision table; entry
//   web/dmn_vendor.mjs) into web/static/vendor/dmn-modeler/.
// The app serves these files itself: no CDN, and the CSP allows only 'self'. The build fails when
// a bundle would write an inline style attribute, or when a string the bundled sources pass to
// translate() has no Italian in web/modeler_i18n_it.mjs.
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { BPMN_ITALIAN, DMN_ITALIAN, TOKEN_SIMULATION_ITALIAN } from "./modeler_i18n_it.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "node_modules");
const vendor = join(root, "web", "static", "vendor");

function fresh(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

// --- the viewer, copied ---------------------------------------------------------------------
const source = join(modules, "bpmn-js", "dist");
const viewer = fresh(join(vendor, "bpmn-js"));
mkdirSync(join(viewer, "assets"), { recursive: true });
cpSync(join(source, "bpmn-navigated-viewer.production.min.js"), join(viewer, "bpmn-navigated-viewer.production.min.js"));
for (const css of ["diagram-js.css", "bpmn-js.css", "bpmn-font/css/bpmn.css"]) {
  cpSync(join(source, "assets", css), join(viewer, "assets", css));
}
cpSync(join(source, "assets", "bpmn-font", "font"), join(viewer, "assets", "bpmn-font", "font"), { recursive: true });
console.log(`bpmn-js assets copied to ${viewer}`);

// --- source patches applied while bundling ----------------------------------------------------
// The properties panel writes its containers as '<div style="…" …>' through innerHTML: inline
// style attributes, which our CSP (style-src 'self') blocks and reports. The same rules live in
// web/static/css/designer.css, so the attributes are dropped here.
const PANEL_STYLES = [
  ['<div style="height: 100%" tabindex="-1" class="bio-properties-panel-container">', '<div tabindex="-1" class="bio-properties-panel-container">'],
  ['<div style="flex: none; height: auto" class="bio-properties-panel ', '<div class="bio-properties-panel '],
];
// Sources that write style attributes whose values we keep: rewritten to data-csp-style, which
// web/csp_styles.mjs applies through the CSSOM.
const KEPT_STYLES = [
  /bpmn-js-token-simulation[\\/]lib[\\/]features[\\/].*\.js$/,
  /dmn-js-shared[\\/]lib[\\/]util[\\/]PoweredByUtil\.js$/,
  /dmn-js-decision-table[\\/]lib[\\/]features[\\/]drag-and-drop[\\/]DragAndDrop\.js$/,
];

// CodeMirror (dmn-js's expression editors) mounts its styles through style-mod, which writes a
// <style> element into a document: our CSP (style-src 'self') blocks it. Constructable stylesheets
// (document.adoptedStyleSheets, filled through the CSSOM) are allowed, and style-mod already uses
// them inside shadow roots: it uses them for documents too.
const STYLE_MOD = [
  ["if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {", "if (root.adoptedStyleSheets && win.CSSStyleSheet) {"],
];

// Replace each [from, to] once, in order; a pair no longer found fails the build, so a changed
// upstream source is looked at before it ships.
function replaceAll(path, text, pairs) {
  for (const [from, to] of pairs) {
    if (!text.includes(from)) {
      throw new Error(`${path}: '${from}' is no longer in the source; review web/vendor_assets.mjs`);
    }
    text = text.replace(from, to);
  }
  return text;
}

const patches = {
  name: "impresa-patches",
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      const path = args.path;
      let text = null;
      const load = () => (text === null ? (text = readFileSync(path, "utf8")) : text);
      if (/bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/.test(path)) {
        text = replaceAll(path, load(), PANEL_STYLES);
      }
      // bpmn-js's align/distribute menu icons: SVG with style="a:b;…" → presentation attributes a="b".
      if (/bpmn-js[\\/]lib[\\/]features[\\/](align|distribute)-elements[\\/]\w+Icons\.js$/.test(path)) {
        text = load().replace(/style="([^"]*)"/g, (_, css) =>
          css
            .split(";")
            .filter((rule) => rule.includes(":"))
            .map((rule) => {
              const [name, value] = rule.split(":").map((part) => part.trim());
              return `${name}="${value}"`;
            })
            .join(" "),
        );
      }
      if (/style-mod[\\/]src[\\/]style-mod\.js$/.test(path)) {
        text = replaceAll(path, load(), STYLE_MOD);
      }
      const simulation = path.split(`bpmn-js-token-simulation${sep}lib${sep}`)[1];
      if (simulation && TOKEN_SIMULATION_ITALIAN[simulation.split(sep).join("/")]) {
        text = replaceAll(path, load(), TOKEN_SIMULATION_ITALIAN[simulation.split(sep).join("/")]);
      }
      if (KEPT_STYLES.some((pattern) => pattern.test(path))) {
        text = load().replace(/(^|[^-\w])style="/g, '$1data-csp-style="');
      }
      return text === null ? undefined : { contents: text, loader: "js" };
    });
  },
};

// --- translate() keys: every literal the bundled sources pass to translate ---------------------
const TRANSLATE = /(?:^|[^A-Za-z0-9$])_?translate\d*\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) { return walk(path); }
    return path.endsWith(".js") ? [path] : [];
  });
}

function keysIn(text) {
  return [...text.matchAll(TRANSLATE)].map((match) => match[2]);
}

function bpmnKeys() {
  const keys = new Set();
  for (const dir of ["bpmn-js/lib", "diagram-js/lib", "diagram-js-direct-editing"]) {
    walk(join(modules, dir)).forEach((file) => keysIn(readFileSync(file, "utf8")).forEach((k) => keys.add(k)));
  }
  // The BPMN part of the properties panel, up to its provider's module (the Camunda/Zeebe providers
  // that follow are not used).
  const panel = readFileSync(join(modules, "bpmn-js-properties-panel", "dist", "index.esm.js"), "utf8");
  const end = panel.indexOf("var index", panel.indexOf("class BpmnPropertiesProvider"));
  if (panel.indexOf("class BpmnPropertiesProvider") < 0 || end < 0) { throw new Error("bpmn-js-properties-panel: provider layout changed; review web/vendor_assets.mjs"); }
  keysIn(panel.slice(0, end)).forEach((k) => keys.add(k));
  keysIn(readFileSync(join(modules, "@bpmn-io", "properties-panel", "dist", "index.esm.js"), "utf8")).forEach((k) => keys.add(k));
  // Labels translated through variables (replace menu entries, …): the keys of the community set.
  const english = readFileSync(join(modules, "bpmn-js-i18n", "translations", "en.js"), "utf8");
  [...english.matchAll(/^\s*"((?:[^"\\]|\\.)*)"\s*:/gm)].forEach((match) => keys.add(match[1]));
  return [...keys].sort();
}

function dmnKeys() {
  const keys = new Set();
  for (const dir of ["dmn-js/lib", "dmn-js-shared/lib", "dmn-js-drd/lib", "dmn-js-decision-table/lib",
    "dmn-js-literal-expression/lib", "dmn-js-boxed-expression/lib", "table-js/lib"]) {
    walk(join(modules, dir)).forEach((file) => keysIn(readFileSync(file, "utf8")).forEach((k) => keys.add(k)));
  }
  return [...keys].sort();
}

function checkItalian(target, keys, italian) {
  const missing = keys.filter((key) => !Object.prototype.hasOwnProperty.call(italian, key));
  writeFileSync(join(target, "translation-keys.json"), JSON.stringify({ keys, missing }, null, 1));
  if (missing.length) {
    throw new Error(`${missing.length} modeler strings have no Italian in web/modeler_i18n_it.mjs: ${missing.slice(0, 10).join(" | ")}`);
  }
}

// --- the bundles ------------------------------------------------------------------------------
async function bundle(entry, target, file, globalName) {
  await build({
    entryPoints: [join(root, "web", entry)],
    outfile: join(target, file),
    bundle: true,
    format: "iife",
    globalName,
    minify: true,
    legalComments: "linked",
    target: ["es2019"],
    platform: "browser",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
    plugins: [patches],
  });
  if (/(^|[^-\w])style="/.test(readFileSync(join(target, file), "utf8"))) {
    throw new Error(`${file} still writes inline style attributes (CSP style-src 'self')`);
  }
}

const modeler = fresh(join(vendor, "bpmn-modeler"));
await bundle("modeler_vendor.mjs", modeler, "impresa-modeler-vendor.js", "ImpresaModelerKit");
cpSync(join(modules, "@bpmn-io", "properties-panel", "dist", "assets", "properties-panel.css"), join(modeler, "properties-panel.css"));
cpSync(join(modules, "bpmn-js-token-simulation", "assets", "css", "bpmn-js-token-simulation.css"), join(modeler, "token-simulation.css"));
checkItalian(modeler, bpmnKeys(), BPMN_ITALIAN);
console.log(`bpmn-js modeler bundle written to ${modeler}`);

const dmn = fresh(join(vendor, "dmn-modeler"));
await bundle("dmn_vendor.mjs", dmn, "impresa-dmn-vendor.js", "ImpresaDmnKit");
const dmnAssets = join(modules, "dmn-js", "dist", "assets");
for (const css of ["diagram-js.css", "dmn-js-shared.css", "dmn-js-drd.css", "dmn-js-decision-table.css",
  "dmn-js-decision-table-controls.css", "dmn-js-literal-expression.css", "dmn-js-boxed-expression.css",
  "dmn-js-boxed-expression-controls.css"]) {
  cpSync(join(dmnAssets, css), join(dmn, css));
}
cpSync(join(dmnAssets, "dmn-font"), join(dmn, "dmn-font"), { recursive: true });
checkItalian(dmn, dmnKeys(), DMN_ITALIAN);
console.log(`dmn-js editor bundle written to ${relative(root, dmn)}`);
