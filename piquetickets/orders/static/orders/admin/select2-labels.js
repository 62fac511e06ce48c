// The admin's autocomplete boxes (select2, shipped with Django) leave their controls nameless: the
// box (a combobox) is named by its current choice at best (nothing when empty), and its search field
// not at all, so a screen reader announces anonymous controls. Name them after the field's own label
// ("Show", "Performers"), for the boxes on the page and for any select2 adds later (a dropdown
// opening, an inline row added); and tie an open box of several choices to its list of results, as
// a combobox must be. Everything works without this file; it only adds names and that tie.

const NAMED = "data-pq-named";

function labelOf(select) {
  const label = select && select.id ? document.querySelector(`label[for="${CSS.escape(select.id)}"]`) : null;
  if (label && !label.id) label.id = `${select.id}-label`;
  return label;
}

function selectOf(control) {
  // A dropdown's search field points at its results ("select2-<select id>-results"); the box and an
  // inline search field sit in the container select2 puts right after the <select>.
  const controls = control.getAttribute("aria-controls") || "";
  const match = controls.match(/^select2-(.+)-results$/);
  if (match) return document.getElementById(match[1]);
  const container = control.closest(".select2-container");
  return container && container.previousElementSibling;
}

function labelledBy(element, label, ...more) {
  const ids = [label.id, ...more].filter((id, at, all) => id && all.indexOf(id) === at);
  element.setAttribute("aria-labelledby", ids.join(" "));
  element.setAttribute(NAMED, "");
}

function name(root) {
  for (const search of root.querySelectorAll(`.select2-search__field:not([${NAMED}])`)) {
    const label = labelOf(selectOf(search));
    if (label) labelledBy(search, label);
  }
  for (const box of root.querySelectorAll(`.select2-selection[role=combobox]:not([${NAMED}])`)) {
    const label = labelOf(selectOf(box));
    if (!label) continue;
    // The label first, then what select2 names the box by (the current choice, if any).
    labelledBy(box, label, ...(box.getAttribute("aria-labelledby") || "").split(/\s+/));
    // That choice is shown in a read-only "textbox", named the same way.
    const shown = box.querySelector(".select2-selection__rendered[role=textbox]");
    if (shown && shown.id) labelledBy(shown, label, shown.id);
  }
}

function tieToResults(box) {
  const select = selectOf(box);
  const results = select && document.getElementById(`select2-${select.id}-results`);
  if (box.getAttribute("aria-expanded") === "true" && results) box.setAttribute("aria-controls", results.id);
  else box.removeAttribute("aria-controls");
}

export function init(root) {
  name(root);
  new MutationObserver((changes) => {
    name(root);
    for (const change of changes) {
      if (change.type === "attributes" && change.target.matches(".select2-selection--multiple")) {
        tieToResults(change.target);
      }
    }
  }).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-expanded"] });
}

init(document.body);
