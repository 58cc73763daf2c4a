// How the buyer's pages show an order: its status in buyer's words, its items with their
// pictures, where it ships, its timeline, and the actions its status allows.
import { api } from "./api.js";
import { addressLine } from "./address.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { dateTime, money } from "./money.js";
import { payInDialog } from "./pay-frame.js";

// What the buyer waits for, by status (the orders page's tabs and badges).
export const BUYER_STATUS = {
  pending_payment: "buyer.status.pending_payment",
  paid: "buyer.status.paid",
  shipped: "buyer.status.shipped",
  received: "buyer.status.received",
  completed: "buyer.status.completed",
  cancelled: "buyer.status.cancelled",
  refunding: "buyer.status.refunding",
  refunded: "buyer.status.refunded",
};

export function statusBadge(order) {
  // A paid group-buy order waits for its group (拼团中) before it ships.
  const label = order.heldBy === "group_buy" && order.status === "paid" ? t("group.held") : t(BUYER_STATUS[order.status] || order.status);
  return h("span", { class: "badge", dataset: { status: order.status }, id: `order-${order.id}-status` }, label);
}

export function carrierName(code) {
  return code ? t(`buyer.carrier.${code}`) : "";
}

// What is left to ask back: the paid amount of each item not yet refunded.
export const refundable = (order) => order.payAmount - order.refundedAmount;
export const canAskRefund = (order) => ["paid", "shipped", "received"].includes(order.status) && refundable(order) > 0;

export function itemRow(item) {
  const picture = item.thumbUrl || item.imageUrl;
  return h("li", { class: "order-item" },
    picture ? h("img", { src: picture, alt: "", loading: "lazy" }) : null,
    h("div", { class: "grow" },
      h("span", { class: "title" }, item.title),
      h("span", { class: "muted" }, `${item.skuName} × ${item.quantity}`),
      item.refundedAmount ? h("span", { class: "muted" }, ` · ${t("buyer.refunded", { amount: money(item.refundedAmount) })}`) : null),
    h("span", { class: "num" }, money(item.amount)));
}

export function shipTo(order) {
  const a = order.address;
  if (!a) return null;
  return h("div", { class: "ship-to muted" }, t("buyer.shipTo"), " ", `${a.name} ${a.phone} · ${addressLine(a)}`);
}

// The order's life from its timestamps: what happened (with when), then what comes next.
export function timeline(order) {
  const events = [];
  const add = (at, key, vars = {}, cls = "") => at && events.push({ at, key, vars, cls });
  add(order.createdAt, "timeline.placed");
  const by = { wallet: "timeline.byWallet", giveaway: "timeline.byGiveaway" }[order.paymentMethod] || "timeline.byGateway";
  add(order.paidAt, "timeline.paid", { method: t(by) });
  add(order.shippedAt, order.trackingNo ? "timeline.shipped" : "timeline.shippedNoTracking", {
    carrier: carrierName(order.carrier) || t("buyer.carrier.other"), tracking: order.trackingNo || "" });
  add(order.receivedAt, "timeline.received", { until: dateTime(order.afterSalesUntil) });
  add(order.completedAt, "timeline.completed");
  add(order.cancelledAt, "timeline.cancelled", { reason: t(order.cancelReason === "payment_timeout" ? "timeline.timeout" : "timeline.byBuyer") }, "bad");
  for (const r of order.refunds || []) {
    add(r.createdAt, "timeline.refundAsked", { id: r.id, amount: money(r.requestedAmount || r.amount) });
    if (r.status === "approved") add(r.decidedAt, "timeline.refunded", { id: r.id, amount: money(r.amount) });
    if (r.status === "rejected") add(r.decidedAt, "timeline.refundRejected", { id: r.id }, "bad");
  }
  events.sort((a, b) => new Date(a.at) - new Date(b.at));
  const next = {
    pending_payment: ["timeline.nextPay", { time: dateTime(order.paymentDeadline) }],
    paid: ["timeline.nextShip", {}],
    shipped: ["timeline.nextReceive", {}],
    received: ["timeline.nextComplete", { time: dateTime(order.afterSalesUntil) }],
    refunding: ["timeline.nextDecision", {}],
  }[order.status];
  return h("ol", { class: "timeline", id: "order-timeline" },
    events.map((e) => h("li", { class: e.cls }, t(e.key, e.vars), h("time", { datetime: e.at }, dateTime(e.at)))),
    next ? h("li", { class: "todo" }, t(next[0], next[1])) : null);
}

// Buttons for what the buyer may do now; each answers the order as it is after.
export function orderActions(order, { run, dialog, dialogBody, onChange, afterSalesHref }) {
  const btn = (key, onClick, cls = "") => {
    const button = h("button", { type: "button", class: `small ${cls}`, "aria-label": `${t(key)} #${order.id}` }, t(key));
    button.addEventListener("click", () => onClick(button));
    return button;
  };
  const post = (path, body = {}) => api(`/api/orders/${order.id}/${path}`, { method: "POST", body });
  const list = [];
  if (order.status === "pending_payment") {
    list.push(btn("orders.pay", (b) => run(b, async () => {
      const payment = await post("pay", { method: "gateway" });
      payInDialog(dialog, dialogBody, payment.payUrl, {
        check: async () => {
          const fresh = await api(`/api/orders/${order.id}`);
          if (fresh.status !== "pending_payment") onChange(fresh);
          return fresh.status !== "pending_payment";
        },
      });
      return null;
    }), "primary"));
    list.push(btn("orders.payWallet", (b) => run(b, async () => (await post("pay", { method: "wallet" })).order)));
    list.push(btn("orders.cancel", (b) => run(b, () => post("cancel")), "danger"));
  }
  if (order.status === "shipped") list.push(btn("orders.confirm", (b) => run(b, () => post("confirm")), "primary"));
  if (canAskRefund(order)) {
    if (afterSalesHref) list.push(h("a", { class: "button small", href: afterSalesHref }, t("orders.afterSales")));
  }
  return list;
}
