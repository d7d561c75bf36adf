// Our CSP (style-src 'self') blocks style attributes written as HTML. The few vendor sources that
// write them (token simulation colours, dmn-js's drag image and logo) are rewritten at bundle
// time to data-csp-style (web/vendor_assets.mjs); this observer moves each such value into the
// element's style through the CSSOM, which the CSP allows.
function apply(element) {
  if (element.nodeType !== 1) { return; }
  const nodes = element.hasAttribute("data-csp-style") ? [element] : [];
  element.querySelectorAll("[data-csp-style]").forEach((node) => nodes.push(node));
  nodes.forEach((node) => {
    node.style.cssText += ";" + node.getAttribute("data-csp-style");
    node.removeAttribute("data-csp-style");
  });
}

if (typeof MutationObserver !== "undefined" && typeof document !== "undefined") {
  new MutationObserver((records) => {
    records.forEach((record) => record.addedNodes.forEach(apply));
  }).observe(document.documentElement, { childList: true, subtree: true });
}
