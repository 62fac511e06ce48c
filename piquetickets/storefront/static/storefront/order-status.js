// The order page while its payment is pending: check the order's status now and then, without
// reloading the page under the buyer.
//
// Bound to [data-order-status] (the page's wrapper, with data-poll-delays: seconds between checks,
// the last one repeating, and data-poll-for: seconds before giving up). Each check asks the page's
// own URL with an HX-Request header, which answers with only the status region
// ([data-order-status-region], carrying data-order-state). When the state changes the new region
// is swapped in and its words are read out through the page's polite live region
// ([data-order-announce]); once the order is paid the page is fetched once more and its body
// swapped in, so the tickets and QR codes appear. After data-poll-for seconds it stops and says so.
// The region's "Check again" link is a plain link to the same page and works without this script.

const REGION = "[data-order-status-region]";

function words(element) {
  return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
}

async function fetchDocument(url, { fragment }) {
  const response = await fetch(url, {
    headers: fragment ? { "HX-Request": "true" } : {},
    credentials: "same-origin",
    cache: "no-store",
  });
  if (!response.ok) {
    throw new Error(`The order page answered ${response.status}.`);
  }
  return new DOMParser().parseFromString(await response.text(), "text/html");
}

export function init(root) {
  if (root.dataset.orderStatusReady) {
    return;
  }
  root.dataset.orderStatusReady = "true";
  const announcer = root.querySelector("[data-order-announce]");
  const delays = (root.dataset.pollDelays || "")
    .split(/\s+/)
    .map(Number)
    .filter((seconds) => seconds > 0);
  if (delays.length === 0) {
    delays.push(5);
  }
  const stopAt = Date.now() + Number(root.dataset.pollFor || 300) * 1000;
  const url = new URL(window.location.href);
  url.hash = "";
  let checks = 0;

  const region = () => root.querySelector(REGION);

  function announce(text) {
    if (announcer && text) {
      announcer.textContent = text;
    }
  }

  function reveal(selector, visible) {
    const element = region()?.querySelector(selector);
    if (element) {
      element.hidden = !visible;
    }
  }

  // Replace `current` with `fresh`, keeping keyboard focus on the page if it was inside.
  function swap(current, fresh) {
    const hadFocus = current.contains(document.activeElement);
    // The live region speaks for the new content; a second status role would say it twice.
    for (const element of fresh.querySelectorAll('[role="status"]')) {
      element.removeAttribute("role");
    }
    current.replaceWith(fresh);
    if (hadFocus) {
      region()?.focus();
    }
  }

  function stop() {
    reveal("[data-order-polling]", false);
    reveal("[data-order-stopped]", true);
    announce(words(region()?.querySelector("[data-order-stopped]")));
  }

  function next() {
    if (Date.now() >= stopAt) {
      stop();
      return;
    }
    const seconds = delays[Math.min(checks, delays.length - 1)];
    checks += 1;
    window.setTimeout(check, seconds * 1000);
  }

  async function showTickets() {
    const paid = new URL(url);
    paid.searchParams.set("paid", "1");
    const page = await fetchDocument(paid, { fragment: false });
    const body = page.querySelector("[data-order-body]");
    const current = root.querySelector("[data-order-body]");
    if (!body || !current) {
      throw new Error("The order page has no body to show.");
    }
    swap(current, document.importNode(body, true));
    document.title = page.title;
  }

  async function check() {
    if (document.hidden) {
      // Nobody is looking: check again when the tab is shown.
      document.addEventListener("visibilitychange", check, { once: true });
      return;
    }
    try {
      const answer = await fetchDocument(url, { fragment: true });
      const fresh = answer.querySelector(REGION);
      if (!fresh || fresh.dataset.orderState === root.dataset.orderState) {
        next();
        return;
      }
      if (fresh.hasAttribute("data-order-success")) {
        await showTickets();
      } else {
        swap(region(), document.importNode(fresh, true));
      }
      root.dataset.orderState = fresh.dataset.orderState;
      announce(words(region()?.querySelector(".alert")));
    } catch {
      next(); // offline or a server hiccup: the next check may do better
    }
  }

  reveal("[data-order-polling]", true);
  next();
}

for (const root of document.querySelectorAll("[data-order-status]")) {
  init(root);
}
