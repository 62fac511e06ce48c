// "Copy" buttons: <button data-copy="<id of the element whose text to copy>" hidden>. Shown only where
// the clipboard can be written; says "Copied" in its live region (data-copy-status="<id>") when done.
export function init(root = document) {
  if (!navigator.clipboard) return;
  for (const button of root.querySelectorAll("button[data-copy]")) {
    if (button.dataset.copyBound) continue;
    button.dataset.copyBound = "1";
    button.hidden = false;
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      const status = document.getElementById(button.dataset.copyStatus);
      if (!source) return;
      const text = "value" in source ? source.value : source.textContent;
      try {
        await navigator.clipboard.writeText(text.trim());
        if (status) status.textContent = "Copied to the clipboard.";
      } catch {
        if (status) status.textContent = "Couldn't copy: select the code and copy it yourself.";
        source.focus();
        if (source.select) source.select();
      }
    });
  }
}

init();
