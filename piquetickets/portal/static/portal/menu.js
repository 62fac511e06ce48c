// The portal navigation's "Menu" button on a phone ([data-portal-menu], controlling [data-portal-nav]).
//
// Without this script the button stays hidden and the navigation stays open (a wrapped list under
// the header). With it, on a narrow screen the navigation folds away behind the button, which says
// whether it is open (aria-expanded); Escape (on the button or in the menu) closes it and gives the
// focus back to the button. On a wide screen the stylesheet shows the navigation and hides the button
// whatever their state.

export function init(root) {
  for (const button of root.querySelectorAll("[data-portal-menu]")) {
    const nav = document.getElementById(button.getAttribute("aria-controls"));
    if (!nav || button.dataset.portalMenuReady) {
      continue;
    }
    button.dataset.portalMenuReady = "true";
    const setOpen = (open) => {
      button.setAttribute("aria-expanded", String(open));
      nav.toggleAttribute("data-collapsed", !open);
    };
    setOpen(false);
    button.hidden = false;
    button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
    const closeOnEscape = (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true" && button.offsetParent) {
        setOpen(false);
        button.focus();
      }
    };
    button.addEventListener("keydown", closeOnEscape);
    nav.addEventListener("keydown", closeOnEscape);
  }
}
