// Image previews on the show form: an <img data-image-preview="<input id>"> shows the file chosen in
// that input before it is uploaded (without JavaScript the current image is shown and the upload works).
export function init(root = document) {
  for (const img of root.querySelectorAll("img[data-image-preview]")) {
    const input = document.getElementById(img.dataset.imagePreview);
    if (!input || input.dataset.previewBound) continue;
    input.dataset.previewBound = "1";
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      if (!file || !file.type.startsWith("image/")) return;
      // A data: URL, not a blob: one: the Content-Security-Policy admits data: images only.
      const reader = new FileReader();
      reader.addEventListener("load", () => {
        img.src = reader.result;
        img.alt = `Preview of ${file.name}`;
        img.hidden = false;
      });
      reader.readAsDataURL(file);
    });
  }
}

init();
