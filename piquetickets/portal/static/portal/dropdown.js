// The header's drop-downs ([data-portal-dropdown]: the producer switcher and the user menu), which are
// <details> elements and so open and close without this script. It adds what a menu is expected to
// do: opening one closes the other, and a click elsewhere or Escape closes it (Escape gives the
// focus back to its toggle).

function closeAll(except) {
  for (const details of document.querySelectorAll("[data-portal-dropdown][open]")) {
    if (details !== except) {
      details.open = false;
    }
  }
}

export function init(root) {
  for (const details of root.querySelectorAll("[data-portal-dropdown]")) {
    if (details.dataset.portalDropdownReady) {
      continue;
    }
    details.dataset.portalDropdownReady = "true";
    details.addEventListener("toggle", () => {
      if (details.open) {
        closeAll(details);
      }
    });
    details.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && details.open) {
        details.open = false;
        details.querySelector("summary")?.focus();
      }
    });
  }
}

document.addEventListener("click", (event) => {
  const inside = event.target instanceof Element ? event.target.closest("[data-portal-dropdown]") : null;
  closeAll(inside);
});

// A confirmation that opens in place (<details class="confirm">: Remove…, Revoke…, Unpublish…) closes
// with Escape too, the focus back on its button; a click elsewhere leaves it open (it holds a form).
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) {
    return;
  }
  const confirm = event.target.closest("details.confirm[open]");
  if (confirm) {
    confirm.open = false;
    confirm.querySelector("summary")?.focus();
  }
});
