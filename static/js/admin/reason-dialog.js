// One dialog for every decision that needs a reason (reject, ban, unban, suspend, reinstate):
// the reason is required, Esc or 取消 closes it, and focus goes back to the button that opened
// it. `onConfirm` does the call; its error is shown in the dialog, which stays open.
import { errorText } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

let opened = 0;

// fields: [{ name, label, type, hint }] extra inputs (optional ones); their values are passed to
// onConfirm as `values` (empty strings left out).
export function askReason({ title, confirm, danger = false, fields = [], onConfirm }) {
  const id = `reason-${++opened}`;
  const opener = document.activeElement;
  const reason = h("textarea", { id: `${id}-text`, name: "reason", required: true, maxlength: "500",
    "aria-describedby": `${id}-error` });
  const error = h("p", { class: "error", role: "alert", id: `${id}-error` });
  const inputs = fields.map((field) => {
    const input = h("input", { id: `${id}-${field.name}`, name: field.name, type: field.type || "text" });
    return [field, input];
  });
  const submit = h("button", { type: "submit", class: danger ? "primary danger" : "primary", "data-confirm": "" }, confirm);
  const cancel = h("button", { type: "button", "data-cancel": "" }, t("admin.cancel"));
  const form = h("form", { novalidate: true },
    h("h2", { id: `${id}-title` }, title),
    h("label", { for: reason.id }, t("admin.reason")),
    reason,
    inputs.map(([field, input]) => [h("label", { for: input.id }, field.label), input,
      field.hint ? h("p", { class: "muted" }, field.hint) : null]),
    error,
    h("div", { class: "actions" }, submit, cancel));
  const dialog = h("dialog", { class: "admin-dialog", "aria-labelledby": `${id}-title` }, form);
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
      const text = reason.value.trim();
      if (!text) {
        error.textContent = t("admin.reasonRequired");
        reason.setAttribute("aria-invalid", "true");
        reason.focus();
        return;
      }
      reason.removeAttribute("aria-invalid");
      const values = {};
      for (const [field, input] of inputs) if (input.value) values[field.name] = input.value;
      submit.disabled = true;
      error.textContent = "";
      try {
        const out = await onConfirm({ reason: text, values });
        done(out ?? true);
      } catch (err) {
        error.textContent = errorText(err);
        submit.disabled = false;
      }
    });
    dialog.showModal();
    reason.focus();
  });
}
