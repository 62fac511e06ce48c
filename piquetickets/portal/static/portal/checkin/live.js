// The live check-in counts ([data-live-poll], polled by htmx every few seconds): no polling while the tab
// is hidden, and a refresh as soon as it is shown again.
export function init(root = document) {
  const live = root.querySelector("[data-live-poll]");
  if (!live || live.dataset.liveReady) return;
  live.dataset.liveReady = "1";
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (document.hidden && event.target === live) event.preventDefault();
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && window.htmx) window.htmx.trigger(live, "checkin:refresh");
  });
}

init();
