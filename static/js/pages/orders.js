// My orders: each with the actions its status allows (pay, cancel, confirm receipt, refund).
import { api } from "../api.js";
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { payInDialog } from "../pay-frame.js";
import { requireLogin } from "../session.js";

const STATUSES = ["", "pending_payment", "paid", "shipped", "received", "completed", "cancelled", "refunding", "refunded"];
let orders = [];
let cursor = null;

function filterOptions() {
  const select = $("#status-filter");
  const value = select.value;
  select.replaceChildren(...STATUSES.map((s) => h("option", { value: s }, s ? t(`status.${s}`) : t("orders.all"))));
  select.value = value;
}

async function load(more = false) {
  const status = $("#status-filter").value;
  const query = new URLSearchParams({ limit: "20" });
  if (status) query.set("status", status);
  if (more && cursor) query.set("cursor", String(cursor));
  try {
    const page = await api(`/api/me/orders?${query}`);
    orders = more ? [...orders, ...page.items] : page.items;
    cursor = page.nextCursor;
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

function replace(order) {
  orders = orders.map((o) => (o.id === order.id ? order : o));
  render();
}

function actions(order, error) {
  const run = (button, fn) => act(button, error, async () => replace(await fn()));
  const btn = (key, fn, cls = "") => {
    const button = h("button", { type: "button", class: `small ${cls}`, "aria-label": `${t(key)} #${order.id}` }, t(key));
    button.addEventListener("click", () => fn(button));
    return button;
  };
  const list = [];
  if (order.status === "pending_payment") {
    list.push(btn("orders.pay", (b) => act(b, error, async () => {
      const payment = await api(`/api/orders/${order.id}/pay`, { method: "POST", body: { method: "gateway" } });
      payInDialog($("#pay-dialog"), $("#pay-body"), payment.payUrl, {
        check: async () => {
          const fresh = await api(`/api/orders/${order.id}`);
          if (fresh.status !== "pending_payment") replace(fresh);
          return fresh.status !== "pending_payment";
        },
      });
    }), "primary"));
    list.push(btn("orders.payWallet", (b) => run(b, async () => (await api(`/api/orders/${order.id}/pay`, { method: "POST", body: { method: "wallet" } })).order)));
    list.push(btn("orders.cancel", (b) => run(b, () => api(`/api/orders/${order.id}/cancel`, { method: "POST", body: {} })), "danger"));
  }
  if (order.status === "shipped") list.push(btn("orders.confirm", (b) => run(b, () => api(`/api/orders/${order.id}/confirm`, { method: "POST", body: {} })), "primary"));
  if (["paid", "shipped", "received"].includes(order.status) && order.payAmount > order.refundedAmount) {
    list.push(btn("orders.refund", (b) => {
      const reason = window.prompt(t("orders.refundReason"), t("orders.refundDefault"));
      if (reason) run(b, () => api(`/api/orders/${order.id}/refund`, { method: "POST", body: { reason } }));
    }));
  }
  return list;
}

function render() {
  const box = $("#orders");
  if (!orders.length) {
    box.replaceChildren(h("p", { class: "empty" }, t("orders.none")));
  } else {
    box.replaceChildren(...orders.map((order) => {
      const error = h("p", { class: "error", role: "alert" });
      return h("article", { class: "card order", "aria-labelledby": `order-${order.id}`, dataset: { orderId: order.id } },
        h("div", { class: "row spread" }, h("h3", { id: `order-${order.id}` }, `#${order.id}`),
          h("span", { class: "badge", dataset: { status: order.status } }, t(`status.${order.status}`))),
        h("ul", { class: "items" }, order.items.map((item) => h("li", {}, `${item.title} · ${item.skuName} × ${item.quantity} — ${money(item.amount)}`))),
        h("div", {}, t(order.status === "pending_payment" || order.status === "cancelled" ? "orders.toPay" : "orders.total", { amount: money(order.payAmount) }),
          order.discountAmount ? h("span", { class: "muted" }, ` (−${money(order.discountAmount)})`) : null,
          order.refundedAmount ? h("span", { class: "muted" }, ` · ${t("status.refunded")} ${money(order.refundedAmount)}`) : null),
        h("div", { class: "muted" }, t("orders.placed", { time: dateTime(order.createdAt) })),
        h("div", { class: "actions" }, actions(order, error)), error);
    }));
  }
  $("#more").hidden = !cursor;
}

await boot();
if (await requireLogin()) {
  filterOptions();
  $("#status-filter").addEventListener("change", () => load());
  $("#more").addEventListener("click", () => load(true));
  onLangChange(() => { filterOptions(); render(); });
  load();
}
