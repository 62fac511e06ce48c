// The live check-in counts ([data-live-poll], polled by htmx every few seconds): no polling while the tab
// is hidden, a refresh as soon as it is shown again, and the count read out ([data-live-announce], a
// polite live region outside the swapped part) only when it changed, not at every poll.
export function init(root = document) {
  const live = root.querySelector("[data-live-poll]");
  const announce = root.querySelector("[data-live-announce]");
  if (!live || live.dataset.liveReady) return;
  live.dataset.liveReady = "1";
  const countText = () => (live.querySelector("[data-live-count]")?.textContent || "").replace(/\s+/g, " ").trim();
  let last = countText();
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (document.hidden && event.target === live) event.preventDefault();
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.target !== live) return;
    const now = countText();
    if (announce && now && now !== last) announce.textContent = now;
    last = now;
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && window.htmx) window.htmx.trigger(live, "checkin:refresh");
  });
}

init();
