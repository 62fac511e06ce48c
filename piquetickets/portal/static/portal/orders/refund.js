// The refund form ([data-refund-form]) shows only what the chosen kind of refund needs: the tickets for
// "Some tickets", the amount for "Some tickets" (optional) and "An amount". Without JavaScript every
// field shows, and the server ignores the ones the kind doesn't use.

const NEEDS = { whole: [], tickets: ["attendees", "amount"], amount: ["amount"] };

function fieldOf(form, name) {
  const control = form.querySelector(`[name="${name}"]`);
  return control ? control.closest(".field") : null;
}

export function init(root) {
  for (const form of root.querySelectorAll("[data-refund-form]")) {
    if (form.dataset.refundReady) {
      continue;
    }
    form.dataset.refundReady = "true";
    const update = () => {
      const kind = form.querySelector('[name="kind"]:checked')?.value ?? "whole";
      for (const name of ["attendees", "amount"]) {
        const field = fieldOf(form, name);
        // A field with an error stays in sight, whatever is chosen.
        if (field && !field.classList.contains("field--error")) {
          field.hidden = !(NEEDS[kind] ?? []).includes(name);
        }
      }
    };
    form.addEventListener("change", (event) => {
      if (event.target instanceof HTMLInputElement && event.target.name === "kind") {
        update();
      }
    });
    update();
  }
}

init(document);
