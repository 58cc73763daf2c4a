// A decision with a few inputs (approve a payout, grant a refund with its amount): a native
// <dialog> whose inputs are labelled, whose error stays inside it, Esc or 取消 says no, and
// focus goes back to the button that opened it. `onConfirm(values)` does the call; a throw keeps
// the dialog open with the error, a value closes it and resolves to that value.
import { errorText } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

let opened = 0;

// fields: [{ name, label, value, required, multiline, inputmode, hint, maxlength }]
export function formDialog({ title, message = "", fields = [], confirm, danger = false, onConfirm }) {
  const id = `form-dialog-${++opened}`;
  const opener = document.activeElement;
  const error = h("p", { class: "error", role: "alert", id: `${id}-error` });
  const inputs = fields.map((field) => {
    const attrs = { id: `${id}-${field.name}`, name: field.name, "aria-describedby": `${id}-error`,
      required: Boolean(field.required), maxlength: field.maxlength ? String(field.maxlength) : false,
      inputmode: field.inputmode || false };
    const input = field.multiline ? h("textarea", attrs) : h("input", attrs);
    input.value = field.value ?? "";
    return [field, input];
  });
  const submit = h("button", { type: "submit", class: danger ? "primary danger" : "primary", "data-confirm": "" }, confirm);
  const cancel = h("button", { type: "button", "data-cancel": "" }, t("admin.cancel"));
  const form = h("form", { novalidate: true },
    h("h2", { id: `${id}-title` }, title),
    message ? h("p", { id: `${id}-message` }, message) : null,
    inputs.flatMap(([field, input]) => [h("label", { for: input.id }, field.label), input,
      field.hint ? h("p", { class: "muted" }, field.hint) : null]),
    error,
    h("div", { class: "actions" }, submit, cancel));
  const dialog = h("dialog", { class: "admin-dialog", "aria-labelledby": `${id}-title`,
    "aria-describedby": message ? `${id}-message` : false }, form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    const done = (value) => {
      if (dialog.open) dialog.close();
      dialog.remove();
      if (opener && document.contains(opener)) opener.focus();
      resolve(value);
    };
    cancel.addEventListener("click", () => done(null));
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      done(null);
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      for (const [field, input] of inputs) {
        const missing = field.required && !input.value.trim();
        if (missing) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
        if (missing) {
          error.textContent = t("admin.money.required", { field: field.label });
          input.focus();
          return;
        }
      }
      const values = Object.fromEntries(inputs.map(([field, input]) => [field.name, input.value.trim()]));
      submit.disabled = true;
      error.textContent = "";
      try {
        const out = await onConfirm(values);
        done(out ?? true);
      } catch (err) {
        error.textContent = errorText(err);
        submit.disabled = false;
      }
    });
    dialog.showModal();
    (inputs[0] ? inputs[0][1] : cancel).focus();
  });
}
