// 申请平台介入: after the shop rejects a refund, the buyer may ask the platform to decide
// (POST /api/orders/{id}/escalate; one open at a time, the server checks the window). Shows the
// buyer's escalations with the platform's decision.
import { api } from "./api.js";
import { act, h } from "./dom.js";
import { t } from "./i18n.js";
import { dateTime } from "./money.js";

function card(escalation) {
  return h("article", { class: "refund-card", dataset: { escalationId: escalation.id } },
    h("div", { class: "row spread" },
      h("strong", {}, t("escalation.number", { id: escalation.id })),
      h("span", { class: `badge ${escalation.status === "open" ? "" : "done"}` }, t(`escalation.status.${escalation.status}`))),
    h("p", {}, escalation.reason),
    h("p", { class: "muted" }, dateTime(escalation.createdAt)),
    escalation.decisionReason ? h("p", {}, t("escalation.platformSays", { reason: escalation.decisionReason })) : null);
}

export async function renderEscalation(section, order, onDone) {
  const rejected = (order.refunds || []).some((r) => r.status === "rejected");
  let mine = [];
  try {
    mine = await api(`/api/orders/${order.id}/escalations`);
  } catch {
    mine = [];
  }
  const open = mine.some((e) => e.status === "open");
  section.hidden = !rejected && !mine.length;
  if (section.hidden) return;
  const list = h("div", { class: "stack" }, ...mine.slice().reverse().map(card));
  const parts = [h("h2", { id: "escalation-heading" }, t("escalation.title")), list];
  if (rejected && !open && order.status !== "refunding") {
    const reason = h("textarea", { id: "escalation-reason", maxlength: "500", rows: "3", placeholder: t("escalation.hint") });
    const error = h("p", { class: "error", role: "alert", id: "escalation-error" });
    const submit = h("button", { type: "submit", class: "primary" }, t("escalation.submit"));
    const form = h("form", { id: "escalation-form", novalidate: true },
      h("p", { class: "muted" }, t("escalation.explain")),
      h("label", { for: "escalation-reason" }, t("escalation.reason")), reason, error,
      h("div", { class: "actions row" }, submit));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(submit, error, async () => {
        const words = reason.value.trim();
        if (!words) throw { code: "validation_error", detail: t("escalation.noReason") };
        await api(`/api/orders/${order.id}/escalate`, { method: "POST", body: { reason: words } });
        onDone();
      });
    });
    parts.push(form);
  }
  section.replaceChildren(...parts);
}
