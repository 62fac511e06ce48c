// Quantity steppers: − and + buttons either side of a number field ([data-stepper]).
//
// Without this script the field is an ordinary number field (type it, or use the browser's arrows).
// With it, the buttons appear; each press moves the value one step within the field's min and max
// and fires the field's input and change events, as typing would (the checkout's live total listens
// for change). At a limit the button says so (aria-disabled) but keeps the keyboard focus. Each new
// value is read out through the stepper's own polite live region.

function clamp(value, min, max) {
  return Math.min(Math.max(value, min), max);
}

function setup(stepper) {
  const input = stepper.querySelector('input[type="number"]');
  const buttons = [...stepper.querySelectorAll("[data-stepper-step]")];
  if (!input || buttons.length === 0) {
    return;
  }
  const min = Number.parseInt(input.min || "0", 10);
  const max = Number.parseInt(input.max || "100", 10);
  const name = input.labels?.[0]?.textContent.replace(/^Quantity\s*of\s*/i, "").trim() || "";
  const status = document.createElement("span");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  stepper.append(status);

  function current() {
    const value = Number.parseInt(input.value, 10);
    return Number.isNaN(value) ? min : value;
  }

  function refresh() {
    for (const button of buttons) {
      const step = Number(button.dataset.stepperStep);
      const blocked = step < 0 ? current() <= min : current() >= max;
      button.setAttribute("aria-disabled", String(blocked));
    }
  }

  for (const button of buttons) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const next = clamp(current() + Number(button.dataset.stepperStep), min, max);
      if (next === current() && String(next) === input.value) {
        return;
      }
      input.value = String(next);
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.dispatchEvent(new Event("change", { bubbles: true }));
      status.textContent = `${next} ${name}`.trim();
    });
  }
  input.addEventListener("input", refresh);
  stepper.classList.add("stepper--enhanced");
  refresh();
}

export function init(root) {
  for (const stepper of root.querySelectorAll("[data-stepper]")) {
    if (!stepper.dataset.stepperReady) {
      stepper.dataset.stepperReady = "true";
      setup(stepper);
    }
  }
}

init(document);
