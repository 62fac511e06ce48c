// The focus after htmx brings another page of results on /shows/ ([data-focus-results]: the page
// links, the chips that take a filter away).
//
// Those links are swapped out with the results they sit in, so the focus would fall back to the
// top of the document. It goes to the results heading instead (#results-title, "24 shows · page 2
// of 2"), where a keyboard or screen-reader user carries on reading. Changes made in the filter form
// keep the focus where it was: the form is not swapped.

export function init(root) {
  root.addEventListener("htmx:afterSwap", (event) => {
    const trigger = event.detail.requestConfig?.elt;
    if (event.detail.target?.id !== "results" || !trigger?.closest("[data-focus-results]")) {
      return;
    }
    document.getElementById("results-title")?.focus();
  });
}

init(document);
