// My orders, by what comes next: 全部 / 待付款 / 待发货 / 待收货 / 售后 / 已完成, each tab with its
// count (GET /api/me/orders/counts); each order with its pictures, where it ships, and the
// actions its status allows; its page (/me/orders/{id}) has the timeline and after-sales.
import { api } from "../api.js";
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { itemRow, orderActions, shipTo, statusBadge } from "../order-view.js";
import { mountMyGroups } from "../my-groups.js";
import { requireLogin } from "../session.js";

// tab -> [label key, counts field]; "" lists every order.
const TABS = [
  ["", "orders.all", "all"],
  ["to_pay", "orders.tab.to_pay", "toPay"],
  ["to_ship", "orders.tab.to_ship", "toShip"],
  ["to_receive", "orders.tab.to_receive", "toReceive"],
  ["after_sales", "orders.tab.after_sales", "afterSales"],
  ["done", "orders.tab.done", "done"],
];
const params = new URLSearchParams(location.search);
let tab = TABS.some(([key]) => key === params.get("tab")) ? params.get("tab") : "";
let counts = null;
let orders = [];
let cursor = null;

function tabs() {
  const box = $("#order-tabs");
  box.replaceChildren(...TABS.map(([key, label, field]) => {
    const n = counts ? counts[field] : null;
    const button = h("button", { type: "button", role: "tab", id: `tab-${key || "all"}`, "aria-selected": String(key === tab), dataset: { tab: key } },
      t(label), key && n ? h("span", { class: "count", "aria-label": t("orders.count", { n }) }, String(n)) : null);
    button.addEventListener("click", () => {
      if (tab === key) return;
      tab = key;
      const url = new URL(location.href);
      if (key) url.searchParams.set("tab", key);
      else url.searchParams.delete("tab");
      history.replaceState(null, "", url);
      tabs();
      load();
    });
    return button;
  }));
}

async function loadCounts() {
  try {
    counts = await api("/api/me/orders/counts");
    tabs();
  } catch {
    // the tabs work without their counts
  }
}

async function load(more = false) {
  const query = new URLSearchParams({ limit: "20" });
  if (tab) query.set("tab", tab);
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
  if (!order) return;
  orders = orders.map((o) => (o.id === order.id ? order : o));
  render();
  loadCounts();
}

function card(order) {
  const error = h("p", { class: "error", role: "alert" });
  const run = (button, fn) => act(button, error, async () => replace(await fn()));
  const detail = `/me/orders/${order.id}`;
  const awaiting = order.status === "pending_payment" || order.status === "cancelled";
  return h("article", { class: "card order", "aria-labelledby": `order-${order.id}`, dataset: { orderId: order.id } },
    h("div", { class: "row spread" },
      h("h3", { id: `order-${order.id}` }, h("a", { href: detail }, `#${order.id}`)), statusBadge(order)),
    h("ul", { class: "items" }, order.items.map(itemRow)),
    shipTo(order),
    h("div", {}, t(awaiting ? "orders.toPay" : "orders.total", { amount: money(order.payAmount) }),
      order.discountAmount ? h("span", { class: "muted" }, ` (−${money(order.discountAmount)})`) : null,
      order.refundedAmount ? h("span", { class: "muted" }, ` · ${t("buyer.refunded", { amount: money(order.refundedAmount) })}`) : null),
    h("div", { class: "muted" }, t("orders.placed", { time: dateTime(order.createdAt) })),
    h("div", { class: "actions" },
      orderActions(order, { run, dialog: $("#pay-dialog"), dialogBody: $("#pay-body"), onChange: replace,
        afterSalesHref: `${detail}#after-sales` }),
      h("a", { class: "button small more", href: detail }, t("orders.details"))),
    error);
}

function render() {
  const box = $("#orders");
  box.setAttribute("aria-labelledby", `tab-${tab || "all"}`);
  box.replaceChildren(...(orders.length ? orders.map(card) : [h("p", { class: "empty" }, t(tab ? "orders.noneHere" : "orders.none"))]));
  $("#more").hidden = !cursor;
}

await boot();
if (await requireLogin()) {
  tabs();
  $("#more").addEventListener("click", () => load(true));
  onLangChange(() => { tabs(); render(); });
  loadCounts();
  load();
  mountMyGroups($("#my-groups")); // 我的拼团
}
