// "Copy link" on the show page ([data-copy-link], a button holding the page's address).
//
// The button is hidden until this script finds a clipboard to write to; the address is also in a
// read-only field beside it, for copying by hand. A copy is confirmed on the button and read out
// through the section's polite live region ([data-copy-status]).

export function init(root) {
  if (!navigator.clipboard) {
    return;
  }
  for (const button of root.querySelectorAll("[data-copy-link]")) {
    const label = button.querySelector("[data-copy-label]");
    const status = button.closest("section")?.querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copyLink);
      } catch {
        if (status) {
          status.textContent = "Couldn't copy the link. Select it in the field below instead.";
        }
        return;
      }
      if (label) {
        label.textContent = "Link copied";
        window.setTimeout(() => {
          label.textContent = "Copy link";
        }, 3000);
      }
      if (status) {
        status.textContent = "Link copied.";
      }
    });
  }
}

init(document);
