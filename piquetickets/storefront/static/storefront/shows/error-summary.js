// A form that came back with problems (or a total to check) puts its summary first: the element
// marked [data-error-summary] takes the focus when the page loads, so it is read out before anything
// else, and its links lead to the fields.

export function init(root) {
  const summary = root.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
}

init(document);
