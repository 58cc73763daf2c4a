// One order of mine (/me/orders/{id}): its status and what to do next, where it ships, its
// items with their pictures, the amounts, the timeline from its timestamps (placed, paid,
// shipped with carrier and tracking number, received, completed, refunds), each refund's
// progress, and the after-sales form (#after-sales).
import { api } from "../api.js";
import { addressLine } from "../address.js";
import { afterSalesForm, refundCard } from "../after-sales.js";
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { renderEscalation } from "../escalation.js";
import { canAskRefund, carrierName, itemRow, orderActions, statusBadge, timeline } from "../order-view.js";
import { requireLogin } from "../session.js";

const orderId = Number(location.pathname.split("/").filter(Boolean)[2]);
let order = null;
let formOpen = location.hash === "#after-sales";

function hint() {
  switch (order.status) {
    case "pending_payment": return t("order.hint.pay", { time: dateTime(order.paymentDeadline) });
    case "paid": return t("order.hint.ship");
    case "shipped": return t("order.hint.receive", { carrier: carrierName(order.carrier) || t("buyer.carrier.other"), tracking: order.trackingNo || "—" });
    case "received": return t("order.hint.afterSales", { time: dateTime(order.afterSalesUntil) });
    case "refunding": return t("order.hint.refunding");
    default: return "";
  }
}

function amounts() {
  const line = (key, value, cls = "") => h("div", { class: cls }, h("dt", {}, t(key)), h("dd", {}, value));
  return [
    line("buy.original", money(order.totalAmount)),
    order.discountAmount ? line("buy.discount", `−${money(order.discountAmount)}`) : null,
    line("order.paid", money(order.payAmount), "strong"),
    order.refundedAmount ? line("buyer.refundedLabel", money(order.refundedAmount)) : null,
  ].filter(Boolean);
}

function openForm() {
  formOpen = true;
  renderForm();
  $("#after-sales").scrollIntoView({ block: "start" });
  $("#after-sales-form input:not([type=checkbox]), #after-sales-form select")?.focus();
}

function renderForm() {
  const section = $("#after-sales");
  const allowed = canAskRefund(order);
  section.hidden = !(allowed && formOpen);
  if (section.hidden) return;
  $("#after-sales-body").replaceChildren(afterSalesForm(order, {
    onDone: (answer) => {
      order = answer;
      formOpen = false;
      history.replaceState(null, "", location.pathname);
      render();
      const notice = $("#order-notice");
      notice.textContent = t("refund.sent", { id: answer.refund ? answer.refund.id : "" });
      $("#refund-" + (answer.refund ? answer.refund.id : ""))?.scrollIntoView({ block: "center" });
    },
  }));
}

function render() {
  if (!order) return;
  document.title = `${t("order.title")} #${order.id} · ${t("app.name")}`;
  $("#order-heading").textContent = t("order.number", { id: order.id });
  $("#order-badge").replaceChildren(statusBadge(order));
  $("#order-hint").textContent = hint();
  const error = $("#action-error");
  const run = (button, fn) => act(button, error, async () => {
    const fresh = await fn();
    if (fresh) {
      order = fresh;
      render();
    }
  });
  const actions = orderActions(order, { run, dialog: $("#pay-dialog"), dialogBody: $("#pay-body"),
    onChange: (fresh) => { order = fresh; render(); } });
  if (canAskRefund(order)) {
    actions.push(h("button", { type: "button", class: "small", id: "open-after-sales", onclick: openForm }, t("orders.afterSales")));
  }
  $("#order-actions").replaceChildren(...actions);
  const a = order.address;
  $("#order-address").replaceChildren(a
    ? h("div", { class: "address-summary" }, h("div", {}, h("strong", {}, a.name), " ", h("span", { class: "muted" }, a.phone)),
      h("div", { class: "address-line" }, addressLine(a)))
    : h("p", { class: "muted" }, t("order.noAddress")));
  $("#order-items").replaceChildren(...order.items.map(itemRow));
  $("#order-amounts").replaceChildren(...amounts());
  $("#order-timeline-box").replaceChildren(timeline(order));
  const refunds = order.refunds || [];
  $("#refunds-section").hidden = !refunds.length;
  $("#order-refunds").replaceChildren(...refunds.slice().reverse().map(refundCard));
  renderEscalation($("#escalation"), order, load);
  renderForm();
  $("#order").hidden = false;
}

async function load() {
  try {
    order = await api(`/api/orders/${orderId}`);
    render();
    if (formOpen && canAskRefund(order)) openForm();
  } catch (err) {
    showError(err, $("#error"));
  }
}

await boot();
if (await requireLogin()) {
  onLangChange(render);
  load();
}
