// The portal frame's behaviours (portal/base.html): the phone menu and the header's drop-downs, on
// load and on whatever htmx swaps in.

import { init as initDropdowns } from "./dropdown.js";
import { init as initMenu } from "./menu.js";

function init(root) {
  initMenu(root);
  initDropdowns(root);
}

init(document);
document.addEventListener("htmx:afterSettle", (event) => init(event.target));
