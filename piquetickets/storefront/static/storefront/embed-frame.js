// The embed pages inside the "Buy tickets" widget's overlay (storefront/widget.js on a producer's site).
//
// Tells the host page it is ready (so it knows framing worked), asks it to close on Escape (a key
// pressed in the frame never reaches the host page), and tells it once the order is paid. Links that
// would leave the embed pages open in a new tab: every other page of the site refuses to be framed.
// Messages carry nothing private; they go to whatever page framed this one.

const SOURCE = "piquetickets";

function tell(type, detail = {}) {
  window.parent.postMessage({ source: SOURCE, type, ...detail }, "*");
}

function staysInFrame(link) {
  return link.hasAttribute("data-embed-stay") || (link.origin === window.location.origin && link.pathname.startsWith("/embed/"));
}

export function init(root) {
  for (const link of root.querySelectorAll("a[href]")) {
    if (!link.target && !staysInFrame(link)) {
      link.target = "_blank";
      link.rel = "noopener";
    }
  }
  const state = root.querySelector?.("[data-embed-order-state]")?.dataset.embedOrderState;
  if (state === "paid" || state === "partially_refunded") {
    tell("purchased");
  }
}

if (window.parent !== window) {
  init(document);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) {
      tell("close");
    }
  });
  // htmx swaps in the order's new state: new links, and perhaps the news that it is paid (polling
  // stops there, so that is said once).
  document.addEventListener("htmx:afterSettle", () => init(document));
  tell("ready", { title: document.title });
}
