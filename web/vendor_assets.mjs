// Copies the pinned bpmn-js build from node_modules into web/static/vendor (run by `npm ci`).
// The app serves these files itself: no CDN, and the CSP allows only 'self'.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
