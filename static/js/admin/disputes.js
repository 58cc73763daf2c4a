// /admin/disputes: orders a buyer took to the platform and refunds hosts rejected lately; the
// operator grants a refund (an amount and the reason the buyer sees) or dismisses the
// escalation with a reason. Both are audited by the server in the same transaction.
import { api, newKey } from "../api.js";
import { $, h, showError, toast } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money, toFen } from "../money.js";
import { formDialog } from "./form-dialog.js";
import { adminPage } from "./nav.js";
import { askReason } from "./reason-dialog.js";
import { said } from "./words.js";

const VIEWS = ["open", "rejected", "all"];
let view = "open";
let page = null;

async function grant(item) {
  // One key per dialog: a double submit or a retry after a lost answer refunds once.
  const key = newKey();
  const done = await formDialog({
    title: t("admin.disputes.grantTitle", { order: item.orderId }),
    message: t("admin.disputes.grantMessage", { refundable: money(item.refundable) }),
    fields: [
      { name: "amount", label: t("admin.disputes.amount"), value: (item.refundable / 100).toFixed(2), required: true, inputmode: "decimal" },
      { name: "reason", label: t("admin.disputes.reasonToBuyer"), required: true, multiline: true, maxlength: 500 },
    ],
    confirm: t("admin.disputes.grant"),
    onConfirm: ({ amount, reason }) => {
      const fen = toFen(amount);
      if (!fen || fen > item.refundable) {
        throw { code: "validation_error", detail: t("admin.disputes.badAmount", { max: money(item.refundable) }) };
      }
      return api(`/api/admin/disputes/orders/${item.orderId}/grant`, { method: "POST", body: { amount: fen, reason }, idempotencyKey: key });
    },
  });
  if (done) {
    toast(t("admin.disputes.granted", { order: item.orderId }));
    await load();
  }
}

async function dismiss(item) {
  const done = await askReason({
    title: t("admin.disputes.dismissTitle", { order: item.orderId }),
    confirm: t("admin.disputes.dismiss"), danger: true,
    onConfirm: ({ reason }) => api(`/api/admin/disputes/escalations/${item.escalation.id}/dismiss`, { method: "POST", body: { reason } }),
  });
  if (done) {
    toast(t("admin.disputes.dismissed", { order: item.orderId }));
    await load();
  }
}

function rejection(r) {
  if (!r) return h("span", { class: "muted" }, t("admin.diff.none"));
  return h("div", {}, h("div", {}, t("admin.disputes.asked", { amount: money(r.amount) }),
    r.reasonCode ? ` · ${said("refund.reason", r.reasonCode)}` : "", r.reason ? ` · ${r.reason}` : ""),
  h("div", { class: "muted" }, t("admin.disputes.hostSaid", { reason: r.decisionReason || t("admin.diff.none") })),
  h("div", { class: "muted" }, dateTime(r.decidedAt)));
}

function escalation(e) {
  if (!e) return h("span", { class: "muted" }, t("admin.disputes.notEscalated"));
  return h("div", {}, h("span", { class: "badge", dataset: { status: e.status } }, t(`admin.disputes.status.${e.status}`)),
    h("div", {}, e.reason), h("div", { class: "muted" }, dateTime(e.createdAt)),
    e.decisionReason ? h("div", { class: "muted" }, t("admin.disputes.decided", { reason: e.decisionReason })) : null);
}

function render() {
  $("#tabs").replaceChildren(...VIEWS.map((name) => h("button", { type: "button", class: "small",
    "aria-pressed": String(name === view), dataset: { view: name }, onclick: () => { view = name; load(); } },
  t(`admin.disputes.view.${name}`))));
  if (!page) return;
  $("#summary").textContent = t("admin.disputes.summary", { open: page.openCount, days: page.days });
  const cols = [["order"], ["people"], ["status"], ["amounts", 1], ["rejection"], ["escalation"], ["actions"]];
  $("#disputes").replaceChildren(h("table", { class: "admin-table disputes-table" },
    h("thead", {}, h("tr", {}, cols.map(([c, num]) => h("th", { scope: "col", class: num ? "num" : "" }, t(`admin.disputes.col.${c}`))))),
    h("tbody", {}, page.items.length ? page.items.map((item) => h("tr", { dataset: { orderId: String(item.orderId) } },
      h("td", {}, `#${item.orderId}`),
      h("td", {}, h("div", {}, t("admin.disputes.buyer"), " ", h("a", { href: `/admin/users/${item.buyerId}` }, item.buyerName)),
        h("div", {}, t("admin.disputes.host"), " ", h("a", { href: `/admin/users/${item.hostId}` }, item.hostName))),
      h("td", {}, said("status", item.orderStatus)),
      h("td", { class: "num" }, h("div", {}, t("admin.disputes.paid", { amount: money(item.payAmount) })),
        h("div", { class: "muted" }, t("admin.disputes.refunded", { amount: money(item.refundedAmount) })),
        h("div", {}, t("admin.disputes.refundable", { amount: money(item.refundable) }))),
      h("td", {}, rejection(item.rejectedRefund)),
      h("td", {}, escalation(item.escalation)),
      h("td", { class: "actions" },
        item.grantable ? h("button", { type: "button", class: "small primary", dataset: { grant: "" },
          "aria-label": `${t("admin.disputes.grant")} #${item.orderId}`, onclick: () => grant(item) }, t("admin.disputes.grant")) : null,
        item.escalation && item.escalation.status === "open" ? h("button", { type: "button", class: "small danger", dataset: { dismiss: "" },
          "aria-label": `${t("admin.disputes.dismiss")} #${item.orderId}`, onclick: () => dismiss(item) }, t("admin.disputes.dismiss")) : null)))
      : h("tr", {}, h("td", { colspan: String(cols.length), class: "empty" }, t("admin.disputes.none"))))));
}

async function load() {
  try {
    page = await api(`/api/admin/disputes?view=${view}&days=${$("#days").value}`);
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

if (await adminPage()) {
  $("#days").addEventListener("change", load);
  onLangChange(render);
  render();
  await load();
}
