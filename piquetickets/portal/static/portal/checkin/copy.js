// Copy a door link: a button beside the read-only field ([data-copy]) copies its value to the clipboard.
// Without JavaScript (or a clipboard) the button stays hidden and the field can be selected and copied.
export function init(root = document) {
  for (const box of root.querySelectorAll("[data-copy]")) {
    const source = box.querySelector("[data-copy-source]");
    const button = box.querySelector("[data-copy-button]");
    const status = box.parentElement.querySelector("[data-copy-status]");
    if (!source || !button || box.dataset.copyReady) continue;
    box.dataset.copyReady = "1";
    source.addEventListener("focus", () => source.select());
    if (!navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(source.value);
        if (status) status.textContent = "Link copied.";
      } catch {
        source.focus();
        source.select();
        if (status) status.textContent = "Press Ctrl+C (⌘C on a Mac) to copy the selected link.";
      }
    });
  }
}

init();
