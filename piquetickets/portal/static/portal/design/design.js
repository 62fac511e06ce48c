// The page design form (portal/design/design.html): each colour's picker and hex code kept in step, and
// the preview of the show page redrawn as the producer picks (the server draws it: the storefront's own
// theme, and its contrast notes). Without JavaScript the preview shows the saved design.
const HEX = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i;

function normalize(value) {
  const match = HEX.exec((value || "").trim());
  if (!match) return null;
  const digits = match[1].length === 3 ? [...match[1]].map((c) => c + c).join("") : match[1];
  return `#${digits.toLowerCase()}`;
}

function swapPreview(root, html) {
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, "text/html");
  const freshPreview = doc.querySelector("[data-design-preview]");
  const freshNotes = doc.querySelector("[data-design-notes]");
  const preview = root.querySelector("[data-design-preview]");
  const notes = root.querySelector("[data-design-notes]");
  if (!freshPreview || !freshNotes || !preview || !notes) return null;
  // The new stylesheet first; the old one goes once the new one has loaded, so the preview never flashes.
  const oldLinks = [...preview.querySelectorAll("link[rel=stylesheet]")];
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = freshPreview.querySelector("link[rel=stylesheet]").getAttribute("href");
  link.addEventListener("load", () => oldLinks.forEach((old) => old.remove()), { once: true });
  preview.append(link);
  preview.dataset.primary = freshPreview.dataset.primary;
  preview.dataset.secondary = freshPreview.dataset.secondary;
  const page = freshPreview.querySelector(".design-page");
  preview.querySelector(".design-page").replaceWith(document.importNode(page, true));
  const before = notes.querySelector(".design-notes__warning")?.textContent.trim() || "";
  notes.replaceChildren(...[...freshNotes.childNodes].map((node) => document.importNode(node, true)));
  const after = notes.querySelector(".design-notes__warning")?.textContent.trim() || "";
  return before === after ? null : after.replace(/\s+/g, " ") || "No contrast problems with these colours.";
}

export function init(root = document) {
  const form = root.querySelector("[data-design-form]");
  if (!form || form.dataset.designBound) return;
  form.dataset.designBound = "1";
  const page = form.closest(".design-layout") || document;
  const status = page.querySelector("[data-design-status]");
  const hint = page.querySelector("[data-design-hint]");
  const fields = [...form.querySelectorAll("[data-colour-field]")].map((field) => ({
    picker: field.querySelector("input[type=color]"),
    hex: field.querySelector("input[type=text]"),
  }));
  let timer = null;
  let asked = 0;

  async function refresh() {
    const values = fields.map(({ hex }) => normalize(hex.value));
    if (values.some((value) => !value)) return;
    const query = new URLSearchParams({ primary_color: values[0], secondary_color: values[1] });
    const number = ++asked;
    try {
      const response = await fetch(`${form.dataset.previewUrl}?${query}`, {
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
      if (!response.ok || number !== asked) return;
      const announcement = swapPreview(page, await response.text());
      if (hint) hint.textContent = "The top of the show page and its tickets, with the colours you picked (not saved yet).";
      if (announcement && status) status.textContent = announcement;
    } catch {
      // The preview stays as it was; saving still works.
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  }

  for (const { picker, hex } of fields) {
    if (!picker || !hex) continue;
    picker.addEventListener("input", () => {
      hex.value = picker.value;
      schedule();
    });
    hex.addEventListener("input", () => {
      const colour = normalize(hex.value);
      if (colour) picker.value = colour;
      schedule();
    });
  }
}

init();
