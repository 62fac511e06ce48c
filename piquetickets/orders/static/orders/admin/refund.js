// The admin's refund pages: show only the part of the form the chosen kind of refund uses, move
// focus to the error summary, and send a confirmation once however often its button is pressed.
// Everything works without this file; the server refuses a second confirmation anyway.

function showChosenPart(form) {
  const chosen = form.querySelector("input[name=what]:checked");
  for (const part of form.querySelectorAll("[data-refund-part]")) {
    const wanted = chosen && chosen.value === part.dataset.refundPart;
    const hasError = part.classList.contains("errors");
    part.hidden = !(wanted || hasError);
  }
}

export function init(root) {
  for (const form of root.querySelectorAll("[data-refund-form]")) {
    showChosenPart(form);
    form.addEventListener("change", (event) => {
      if (event.target.name === "what") showChosenPart(form);
    });
  }
  for (const form of root.querySelectorAll("[data-refund-confirm]")) {
    let sent = false;
    form.addEventListener("submit", (event) => {
      if (sent) {
        event.preventDefault();
        return;
      }
      sent = true;
      form.setAttribute("aria-busy", "true");
    });
  }
  const summary = root.querySelector("[data-error-summary]");
  if (summary) summary.focus();
}

init(document);
