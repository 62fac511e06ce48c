// A Print button ([data-print], hidden without JavaScript: the browser's own Print works then) that
// opens the browser's print dialog: on a phone, Print is buried in a menu.

export function init(root) {
  for (const button of root.querySelectorAll("[data-print]")) {
    if (button.dataset.printReady) {
      continue;
    }
    button.dataset.printReady = "true";
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }
}

init(document);
