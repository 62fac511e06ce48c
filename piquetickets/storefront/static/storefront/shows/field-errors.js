// A ticket type's inputs say whether they are in error after a live update ([data-errors-for]: the
// slot under a ticket type that holds its error messages, naming the ids of the inputs they are about).
//
// htmx swaps new messages into the slot but leaves the inputs alone (the buyer may be typing in
// one), so without this an input would keep aria-invalid after its error went away, or never get it.
// After every swap the inputs are brought in line with the messages: aria-invalid, the message's id in
// aria-describedby (a hint stays), and the field's error style.

function sync(root) {
  for (const slot of root.querySelectorAll("[data-errors-for]")) {
    for (const id of slot.dataset.errorsFor.split(" ").filter(Boolean)) {
      const input = document.getElementById(id);
      if (!input) {
        continue;
      }
      const errorId = `${id}_error`;
      const inError = Boolean(slot.querySelector(`#${CSS.escape(errorId)}`));
      const described = (input.getAttribute("aria-describedby") || "")
        .split(/\s+/)
        .filter((token) => token && token !== errorId);
      if (inError) {
        input.setAttribute("aria-invalid", "true");
        described.push(errorId);
      } else {
        input.removeAttribute("aria-invalid");
      }
      if (described.length) {
        input.setAttribute("aria-describedby", described.join(" "));
      } else {
        input.removeAttribute("aria-describedby");
      }
      input.closest(".field--amount")?.classList.toggle("field--error", inError);
    }
  }
}

export function init(root) {
  root.addEventListener("htmx:afterSettle", () => sync(document));
}

init(document);
