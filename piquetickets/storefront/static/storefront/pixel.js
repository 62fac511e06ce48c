// Meta Pixel: the one third-party script the site may load, and only when META_PIXEL_ID is set
// (storefront/_pixel.html then renders <script type="module" src=".../pixel.js"
// data-meta-pixel-id="…">; the site's CSP lets in connect.facebook.net and www.facebook.com).
//
// Events, read from data- attributes the pages carry (no inline script anywhere):
// - PageView, once per page.
// - ViewContent for each [data-pixel-event="ViewContent"] (data-pixel-content-id, data-pixel-value,
//   data-pixel-currency), once per content id and page.
// - InitiateCheckout when a form[data-pixel-submit="InitiateCheckout"] is submitted (the form may
//   carry the same content/value/currency attributes), once per page.
// - Purchase for [data-pixel-event="Purchase"] with data-pixel-event-id = the order's id, passed as
//   Meta's eventID: Meta counts a browser and a server (Conversions API) event with the same id
//   once. Ids already sent are remembered in localStorage, so a reload sends nothing again.
// Markers that arrive later (htmx swaps, the order page showing its tickets once paid) are seen too.
//
// Pages whose address is a secret (the order page: its URL is the key to the tickets) carry
// data-meta-pixel-private. fbevents.js reports the page's address with every event, so there it is
// never loaded; the events go as Meta's image pixel (https://www.facebook.com/tr) and name the
// address in the marker's data-pixel-page-url (the show's page) instead. No PageView there.

const SCRIPT_URL = "https://connect.facebook.net/en_US/fbevents.js";
const IMAGE_URL = "https://www.facebook.com/tr";
const SENT_KEY = "piquetickets:pixel:purchases";
const SENT_KEEP = 50;

const config = document.querySelector("script[data-meta-pixel-id]");
const pixelId = config?.dataset.metaPixelId || "";
const isPrivate = config?.hasAttribute("data-meta-pixel-private") ?? false;
const viewed = new Set();
const purchased = new Set();
let checkoutStarted = false;

// The queue Meta's script takes over when it loads (the same shape as Meta's own snippet makes).
function loadFbq() {
  if (typeof window.fbq === "function") {
    return window.fbq;
  }
  const fbq = function fbq(...args) {
    if (fbq.callMethod) {
      fbq.callMethod(...args);
    } else {
      fbq.queue.push(args);
    }
  };
  Object.assign(fbq, { push: fbq, loaded: true, version: "2.0", queue: [] });
  window.fbq = fbq;
  window._fbq = fbq;
  const script = document.createElement("script");
  script.async = true;
  script.src = SCRIPT_URL;
  document.head.append(script);
  return fbq;
}

function params(element) {
  const data = element.dataset;
  const found = {};
  if (data.pixelContentId) {
    found.content_ids = [data.pixelContentId];
    found.content_type = "product";
  }
  if (data.pixelContentName) {
    found.content_name = data.pixelContentName;
  }
  const value = Number.parseFloat(data.pixelValue);
  if (Number.isFinite(value)) {
    found.value = value;
  }
  if (data.pixelCurrency) {
    found.currency = data.pixelCurrency;
  }
  return found;
}

// One event out: through fbevents.js, or on a private page as an image request.
function track(event, data, { eventId = "", pageUrl = "" } = {}) {
  if (!isPrivate) {
    loadFbq()("track", event, data, eventId ? { eventID: eventId } : undefined);
    return;
  }
  const url = new URL(IMAGE_URL);
  url.searchParams.set("id", pixelId);
  url.searchParams.set("ev", event);
  url.searchParams.set("dl", new URL(pageUrl || "/", window.location.origin).href);
  url.searchParams.set("ts", String(Date.now()));
  if (eventId) {
    url.searchParams.set("eid", eventId);
  }
  for (const [key, value] of Object.entries(data)) {
    url.searchParams.set(`cd[${key}]`, Array.isArray(value) ? JSON.stringify(value) : String(value));
  }
  const image = new Image();
  image.referrerPolicy = "no-referrer";
  image.src = url.href;
}

function sentPurchases() {
  try {
    const ids = JSON.parse(window.localStorage.getItem(SENT_KEY) || "[]");
    return Array.isArray(ids) ? ids : [];
  } catch {
    return []; // storage off (a private window) or unreadable: Meta's eventID still counts it once
  }
}

function rememberPurchase(id) {
  try {
    const ids = sentPurchases().filter((sent) => sent !== id);
    ids.push(id);
    window.localStorage.setItem(SENT_KEY, JSON.stringify(ids.slice(-SENT_KEEP)));
  } catch {
    // as above
  }
}

function purchase(element) {
  const id = element.dataset.pixelEventId;
  if (!id || purchased.has(id) || sentPurchases().includes(id)) {
    return;
  }
  purchased.add(id);
  rememberPurchase(id);
  track("Purchase", params(element), { eventId: id, pageUrl: element.dataset.pixelPageUrl });
}

function viewContent(element) {
  const key = element.dataset.pixelContentId || "";
  if (viewed.has(key)) {
    return;
  }
  viewed.add(key);
  track("ViewContent", params(element), { pageUrl: element.dataset.pixelPageUrl });
}

export function init(root) {
  const markers = root.matches?.("[data-pixel-event]") ? [root] : [];
  markers.push(...(root.querySelectorAll?.("[data-pixel-event]") ?? []));
  for (const element of markers) {
    if (element.dataset.pixelEvent === "ViewContent") {
      viewContent(element);
    } else if (element.dataset.pixelEvent === "Purchase") {
      purchase(element);
    }
  }
}

function onSubmit(event) {
  const form = event.target.closest?.('form[data-pixel-submit="InitiateCheckout"]');
  // A button htmx handles (Apply a promo code, Update total) is not the checkout being sent.
  const live = event.submitter?.hasAttribute("hx-post") ?? false;
  if (form && !live && !checkoutStarted) {
    checkoutStarted = true;
    track("InitiateCheckout", params(form), { pageUrl: form.dataset.pixelPageUrl });
  }
}

if (/^\d+$/.test(pixelId)) {
  if (!isPrivate) {
    loadFbq()("init", pixelId);
    track("PageView", {});
  }
  init(document);
  // Capture phase: htmx (or any script) may stop the submit event before it reaches the document.
  document.addEventListener("submit", onSubmit, true);
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          init(node);
        }
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}
