// Copies the pinned bpmn-js build from node_modules into web/static/vendor (run by `npm ci`),
// and bundles the modeler (bpmn-js Modeler + bpmn-js-properties-panel + @bpmn-io/properties-panel,
// entry web/modeler_vendor.mjs) with esbuild into web/static/vendor/bpmn-modeler/.
// The app serves these files itself: no CDN, and the CSP allows only 'self'.
import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "node_modules", "bpmn-js", "dist");
const target = join(root, "web", "static", "vendor", "bpmn-js");

rmSync(target, { recursive: true, force: true });
mkdirSync(join(target, "assets"), { recursive: true });
cpSync(join(source, "bpmn-navigated-viewer.production.min.js"), join(target, "bpmn-navigated-viewer.production.min.js"));
for (const css of ["diagram-js.css", "bpmn-js.css", "bpmn-font/css/bpmn.css"]) {
  cpSync(join(source, "assets", css), join(target, "assets", css));
}
cpSync(join(source, "assets", "bpmn-font", "font"), join(target, "assets", "bpmn-font", "font"), { recursive: true });
console.log(`bpmn-js assets copied to ${target}`);

const modeler = join(root, "web", "static", "vendor", "bpmn-modeler");
rmSync(modeler, { recursive: true, force: true });
mkdirSync(modeler, { recursive: true });
// The properties panel writes its containers as '<div style="…" …>' through innerHTML: inline
// style attributes, which our CSP (style-src 'self') blocks and reports. The same rules live in
// web/static/css/designer.css, so the attributes are dropped here (the build fails if the pinned
// version no longer has them, so an upgrade is looked at). The bundle is checked for any
// style attribute left.
const INLINE_STYLES = [
  ['<div style="height: 100%" tabindex="-1" class="bio-properties-panel-container">', '<div tabindex="-1" class="bio-properties-panel-container">'],
  ['<div style="flex: none; height: auto" class="bio-properties-panel ', '<div class="bio-properties-panel '],
];
const withoutInlineStyle = {
  name: "properties-panel-without-inline-style",
  setup(b) {
    b.onLoad({ filter: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/ }, (args) => {
      let source = readFileSync(args.path, "utf8");
      for (const [from, to] of INLINE_STYLES) {
        if (!source.includes(from)) {
          throw new Error(`${args.path}: the panel's markup changed; review the CSP patch in web/vendor_assets.mjs`);
        }
        source = source.replace(from, to);
      }
      return { contents: source, loader: "js" };
    });
    // bpmn-js's align/distribute menu icons: SVG with style="a:b;…" → presentation attributes a="b".
    b.onLoad({ filter: /bpmn-js[\\/]lib[\\/]features[\\/](align|distribute)-elements[\\/]\w+Icons\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8").replace(/style="([^"]*)"/g, (_, css) =>
        css
          .split(";")
          .filter((rule) => rule.includes(":"))
          .map((rule) => {
            const [name, value] = rule.split(":").map((part) => part.trim());
            return `${name}="${value}"`;
          })
          .join(" "),
      );
      return { contents: source, loader: "js" };
    });
  },
};
await build({
  entryPoints: [join(root, "web", "modeler_vendor.mjs")],
  outfile: join(modeler, "impresa-modeler-vendor.js"),
  bundle: true,
  format: "iife",
  globalName: "ImpresaModelerKit",
  minify: true,
  legalComments: "linked",
  target: ["es2019"],
  platform: "browser",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
  plugins: [withoutInlineStyle],
});
if (readFileSync(join(modeler, "impresa-modeler-vendor.js"), "utf8").includes('style="')) {
  throw new Error("the modeler bundle still writes inline style attributes (CSP style-src 'self')");
}
cpSync(
  join(root, "node_modules", "@bpmn-io", "properties-panel", "dist", "assets", "properties-panel.css"),
  join(modeler, "properties-panel.css"),
);
console.log(`bpmn-js modeler bundle written to ${modeler}`);
