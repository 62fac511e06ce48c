// The checkout's live total, with htmx ([data-checkout], the checkout form).
//
// The form works without this script: its "Update total" button posts the form and the page comes
// back with the new total. With htmx on the page, the tickets fieldset posts itself on every change
// (hx-post) and the answer swaps in the summary, the pay button's label and the ticket holders' rows,
// so the button is not needed and is hidden (it stays the form's default button: Enter in a field
// updates the total rather than paying). This script also keeps the form's data-pixel-value (what
// the pixel reports when the checkout starts) equal to the total shown, and says so when an update
// could not be made (the server checks the total again when the buyer pays anyway).

export function init(form) {
  if (form.dataset.checkoutReady || typeof window.htmx === "undefined") {
    return;
  }
  form.dataset.checkoutReady = "true";
  const offline = form.querySelector("[data-checkout-offline]");

  for (const button of form.querySelectorAll("[data-checkout-update]")) {
    button.closest("p")?.setAttribute("hidden", "");
  }

  function showTotal() {
    const total = form.querySelector("[data-checkout-total]");
    form.dataset.pixelValue = total ? total.dataset.checkoutTotal : "";
  }

  form.addEventListener("htmx:afterRequest", (event) => {
    if (offline) {
      offline.hidden = event.detail.successful;
    }
  });
  form.addEventListener("htmx:sendError", () => {
    if (offline) {
      offline.hidden = false;
    }
  });
  document.body.addEventListener("htmx:oobAfterSwap", showTotal);
  showTotal();
}

for (const form of document.querySelectorAll("[data-checkout]")) {
  init(form);
}
