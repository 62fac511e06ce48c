// "The first ticket is mine" ([data-copy-buyer], a checkbox in the checkout form).
//
// While it is ticked, the first ticket holder's name ([data-first-holder]) shows the buyer's name and
// follows it as it is typed, read-only. The server does the same with or without this script: a ticked
// box puts the buyer's name on the first ticket whatever those fields say.

export function init(form) {
  const tick = form.querySelector("[data-copy-buyer]");
  const buyerFirst = form.querySelector('[name="first_name"]');
  const buyerLast = form.querySelector('[name="last_name"]');
  if (!tick || !buyerFirst || !buyerLast || form.dataset.copyBuyerReady) {
    return;
  }
  form.dataset.copyBuyerReady = "true";

  function sync() {
    const row = form.querySelector("[data-first-holder]");
    const [first, last] = row ? row.querySelectorAll("input") : [];
    if (!first || !last) {
      return;
    }
    first.readOnly = tick.checked;
    last.readOnly = tick.checked;
    if (tick.checked) {
      first.value = buyerFirst.value;
      last.value = buyerLast.value;
    }
  }

  tick.addEventListener("change", sync);
  buyerFirst.addEventListener("input", sync);
  buyerLast.addEventListener("input", sync);
  document.body.addEventListener("htmx:oobAfterSwap", sync);
  sync();
}

for (const form of document.querySelectorAll("form")) {
  if (form.querySelector("[data-copy-buyer]")) {
    init(form);
  }
}
