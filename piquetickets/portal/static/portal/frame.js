// The portal frame's behaviours (portal/base.html): the phone menu and the header's drop-downs, on
// load and on whatever htmx swaps in; the rich text editor (richtext.js) is loaded only where a page
// has a rich text field.

import { init as initDropdowns } from "./dropdown.js";
import { init as initMenu } from "./menu.js";

function init(root) {
  initMenu(root);
  initDropdowns(root);
  if (root.querySelector("[data-rich-text]") || root.matches?.("[data-rich-text]")) {
    import("./richtext.js").then((richText) => richText.init(root));
  }
}

init(document);
document.addEventListener("htmx:afterSettle", (event) => init(event.target));
