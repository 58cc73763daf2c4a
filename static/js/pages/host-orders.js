// The host's order desk: tabs with counts, filters (session, days, search), ship one or many
// with carrier and tracking number, answer after-sales requests, export the filtered list as
// CSV, and new paid orders announced as they come (the API is polled with a `since` cursor).
import { api } from "../api.js";
import { $, act, h, showError, toast } from "../dom.js";
import { boot } from "../header.js";
import { lang, onLangChange, t } from "../i18n.js";
import { dateTime, money, toFen } from "../money.js";
import { requireLogin } from "../session.js";

const TABS = ["", "pending_payment", "to_ship", "shipped", "after_sales", "completed", "closed"];
const CARRIERS = ["SF", "ZTO", "YTO", "YD", "JD", "EMS", "other"];
const POLL_MS = 5000;
const TRACKING = /^[A-Za-z0-9-]{1,64}$/;

let tab = "to_ship";
let items = [];
let counts = {};
let cursor = null;
let sessions = [];
// A host's staff read the desk (and open a buyer's 360 from it) but never ship or decide.
let readOnly = false;
const selected = new Set();
const seen = new Set();
let feedCursor = null;
let fresh = 0;

function filters() {
  const query = new URLSearchParams();
  if (tab) query.set("tab", tab);
  const session = $("#session").value;
  if (session) query.set("sessionId", session);
  if ($("#from").value) query.set("from", $("#from").value);
  if ($("#to").value) query.set("to", $("#to").value);
  const q = $("#q").value.trim();
  if (q) query.set("q", q);
  return query;
}

function exportLink() {
  const query = filters();
  query.set("lang", lang() === "en" ? "en" : "zh-CN");
  $("#export").href = `/api/host/desk/orders/export?${query}`;
}

async function load(more = false) {
  const query = filters();
  query.set("limit", "20");
  if (more && cursor) query.set("cursor", String(cursor));
  try {
    const page = await api(`/api/host/desk/orders?${query}`);
    items = more ? [...items, ...page.items] : page.items;
    counts = page.counts;
    cursor = page.nextCursor;
    if (!more) selected.clear();
    for (const item of page.items) seen.add(item.order.id);
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

async function refreshCounts() {
  const query = filters();
  query.set("limit", "1");
  try {
    counts = (await api(`/api/host/desk/orders?${query}`)).counts;
    renderTabs();
  } catch (err) {
    showError(err, $("#error"));
  }
}

function renderTabs() {
  $("#tabs").replaceChildren(...TABS.map((key) => {
    const n = counts[key || "all"] ?? 0;
    return h("button", {
      type: "button", class: "small", "aria-pressed": String(key === tab), dataset: { tab: key || "all" },
      onclick: () => { tab = key; load(); exportLink(); },
    }, t(key ? `desk.tab.${key}` : "desk.tab.all"), " ", h("span", { class: "count" }, `(${n})`));
  }));
}

function renderSessions() {
  const select = $("#session");
  const value = select.value;
  select.replaceChildren(h("option", { value: "" }, t("desk.allSessions")),
    ...sessions.map((s) => h("option", { value: String(s.sessionId) },
      t("desk.sessionOption", { id: s.sessionId, room: s.roomId ?? "-", n: s.orders, time: dateTime(s.lastOrderAt) }))));
  select.value = value;
}

const carrierName = (code) => (code ? t(`desk.carrier.${code}`) : "");

function openRefund(order) {
  return (order.refunds || []).find((r) => r.status === "requested");
}

function replace(order) {
  items = items.map((item) => (item.order.id === order.id ? { ...item, order } : item));
}

function row(item) {
  const order = item.order;
  const address = item.address;
  // A group buy's order (拼团中) ships only once its group is full.
  const shippable = order.status === "paid" && !order.heldBy;
  const refund = openRefund(order);
  const actions = [];
  if (shippable && !readOnly) {
    actions.push(h("button", { type: "button", class: "small primary", "aria-label": `${t("desk.ship")} #${order.id}`,
      onclick: () => openShip([item]) }, t("desk.ship")));
  }
  if (refund && !readOnly) {
    actions.push(h("button", { type: "button", class: "small primary", "aria-label": `${t("desk.approve")} #${order.id}`,
      onclick: () => openDecision(item, refund, "approve") }, t("desk.approve")));
    actions.push(h("button", { type: "button", class: "small danger", "aria-label": `${t("desk.reject")} #${order.id}`,
      onclick: () => openDecision(item, refund, "reject") }, t("desk.reject")));
  }
  const check = shippable && !readOnly ? h("input", {
    type: "checkbox", checked: selected.has(order.id), "aria-label": t("desk.select", { id: order.id }),
    onchange: (event) => { if (event.target.checked) selected.add(order.id); else selected.delete(order.id); renderBulk(); },
  }) : null;
  return h("tr", { dataset: { orderId: order.id }, class: item.fresh ? "fresh" : "" },
    h("td", {}, check),
    h("td", {}, h("strong", {}, `#${order.id}`), h("div", { class: "muted" }, t("desk.placedAt", { time: dateTime(order.createdAt) })),
      h("div", {}, h("a", { class: "buyer-link", href: `/host/members/${order.buyerId}` }, t("desk.buyer", { name: item.buyerName }))),
      order.sessionId ? h("div", { class: "muted" }, `${t("desk.session")} #${order.sessionId}`) : null),
    h("td", {}, h("ul", { class: "items" }, order.items.map((i) => h("li", {}, `${i.title} · ${i.skuName} × ${i.quantity}`))),
      order.note ? h("div", { class: "muted" }, t("desk.note", { note: order.note })) : null),
    h("td", {}, address ? [h("div", {}, `${address.name} ${address.phone}`), h("div", { class: "muted" }, address.line)] : "—"),
    h("td", { class: "num" }, money(order.payAmount),
      order.refundedAmount ? h("div", { class: "muted" }, t("desk.refunded", { amount: money(order.refundedAmount) })) : null),
    h("td", {}, h("span", { class: "badge", dataset: { status: order.status } }, t(`desk.status.${order.status}`)),
      order.heldBy ? h("div", { class: "badge held", dataset: { held: order.heldBy } }, t("group.held")) : null,
      order.trackingNo ? h("div", { class: "tracking" }, `${carrierName(order.carrier)} ${order.trackingNo}`) : null,
      refund ? h("div", { class: "refund-ask" }, t("desk.refundAsked", { amount: money(refund.amount), reason: refund.reason })) : null),
    h("td", { class: "actions" }, actions));
}

function renderBulk() {
  const shippable = items.filter((item) => item.order.status === "paid" && !item.order.heldBy);
  for (const id of [...selected]) if (!shippable.some((item) => item.order.id === id)) selected.delete(id);
  $("#selected-count").textContent = t("desk.selected", { n: selected.size });
  $("#bulk-ship").disabled = selected.size === 0;
  const all = $("#select-all");
  if (all) all.checked = shippable.length > 0 && selected.size === shippable.length;
}

function render() {
  renderTabs();
  const shippable = items.filter((item) => item.order.status === "paid" && !item.order.heldBy);
  const all = h("input", { type: "checkbox", id: "select-all", "aria-label": t("desk.selectAll"), disabled: !shippable.length,
    onchange: (event) => {
      for (const item of shippable) if (event.target.checked) selected.add(item.order.id); else selected.delete(item.order.id);
      render();
    } });
  const head = h("tr", {}, h("th", {}, all), ...["order", "items", "address", "amount", "status", "actions"].map((key) =>
    h("th", { class: key === "amount" ? "num" : "" }, t(`desk.col.${key}`))));
  $("#orders").replaceChildren(h("table", { class: "desk-table" }, h("thead", {}, head),
    h("tbody", {}, items.length ? items.map(row) : h("tr", {}, h("td", { colspan: "7", class: "empty" }, t("desk.none"))))));
  $("#more").hidden = !cursor;
  renderBulk();
}

// --- shipping -------------------------------------------------------------------------------

let shipping = [];

function carrierSelect(id, value = "SF") {
  const select = h("select", { id }, CARRIERS.map((code) => h("option", { value: code }, carrierName(code))));
  select.value = value;
  return select;
}

function openShip(list) {
  shipping = list;
  $("#ship-error").textContent = "";
  const all = $("#carrier-all");
  all.replaceChildren(h("option", { value: "" }, "—"), ...CARRIERS.map((code) => h("option", { value: code }, carrierName(code))));
  $("#carrier-all-row").hidden = list.length < 2;
  $("#ship-lines").replaceChildren(...list.map(({ order, address }) => h("div", { class: "ship-line", dataset: { orderId: order.id } },
    h("div", {}, h("strong", {}, `#${order.id}`), " ", address ? `${address.name} ${address.line}` : ""),
    h("label", { class: "visually-hidden", for: `carrier-${order.id}` }, `${t("desk.carrier")} #${order.id}`),
    carrierSelect(`carrier-${order.id}`, order.carrier || "SF"),
    h("label", { class: "visually-hidden", for: `tracking-${order.id}` }, `${t("desk.trackingNo")} #${order.id}`),
    h("input", { id: `tracking-${order.id}`, maxlength: "64", required: true, placeholder: t("desk.trackingNo"), autocomplete: "off" }),
    h("div", { class: "result", role: "status" }))));
  $("#ship-dialog").showModal();
  $(`#tracking-${list[0].order.id}`).focus();
}

$("#carrier-all").addEventListener("change", (event) => {
  if (!event.target.value) return;
  for (const { order } of shipping) $(`#carrier-${order.id}`).value = event.target.value;
});

$("#ship-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act($("#ship-submit"), $("#ship-error"), async () => {
    const lines = shipping.map(({ order }) => ({
      orderId: order.id, carrier: $(`#carrier-${order.id}`).value, trackingNo: $(`#tracking-${order.id}`).value.trim(),
    }));
    const missing = lines.find((line) => !TRACKING.test(line.trackingNo));
    if (missing) {
      $(`#tracking-${missing.orderId}`).focus();
      throw { code: "validation_error", detail: `${t("desk.trackingNo")} #${missing.orderId}` };
    }
    let out;
    try {
      out = await api("/api/host/desk/ship", { method: "POST", body: { orders: lines } });
    } catch (err) {
      if (!err.body || !err.body.results) throw err;
      out = { shipped: 0, failed: err.body.results.length, results: err.body.results };
    }
    for (const result of out.results) {
      const box = $(`.ship-line[data-order-id="${result.orderId}"] .result`);
      if (result.ok) {
        replace(result.order);
        selected.delete(result.orderId);
        box.className = "result ok";
        box.textContent = t("desk.shipOk");
      } else {
        box.className = "result err";
        box.textContent = result.detail || result.code;
      }
    }
    render();
    refreshCounts();
    if (out.shipped) toast(t("desk.shippedN", { n: out.shipped }));
    if (!out.failed) $("#ship-dialog").close();
    else $("#ship-error").textContent = t("desk.failedN", { n: out.failed });
  });
});

$("#bulk-ship").addEventListener("click", () => {
  const list = items.filter((item) => selected.has(item.order.id));
  if (list.length) openShip(list);
});

// --- after-sales ----------------------------------------------------------------------------

let deciding = null;

function openDecision(item, refund, mode) {
  deciding = { item, refund, mode };
  $("#refund-error").textContent = "";
  $("#refund-title").textContent = t(mode === "approve" ? "desk.approve" : "desk.reject");
  $("#refund-asked").textContent = t("desk.refundAsked", { amount: money(refund.amount), reason: refund.reason });
  $("#refund-amount-row").hidden = mode !== "approve";
  $("#refund-amount").value = (refund.amount / 100).toFixed(2);
  $("#refund-reason").value = "";
  $("#refund-dialog").showModal();
}

$("#refund-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act($("#refund-submit"), $("#refund-error"), async () => {
    const { item, refund, mode } = deciding;
    const reason = $("#refund-reason").value.trim();
    let order;
    if (mode === "approve") {
      const amount = toFen($("#refund-amount").value);
      if (!amount) throw { code: "validation_error", detail: t("desk.refundAmount") };
      if (amount < refund.amount && !reason) throw { code: "validation_error", detail: t("desk.reasonRequired") };
      order = await api(`/api/refunds/${refund.id}/approve`, { method: "POST", body: amount < refund.amount ? { amount, reason } : { reason } });
    } else {
      if (!reason) throw { code: "validation_error", detail: t("desk.reasonRequired") };
      order = await api(`/api/refunds/${refund.id}/reject`, { method: "POST", body: { reason } });
    }
    replace(order);
    render();
    refreshCounts();
    $("#refund-dialog").close();
    toast(t("desk.decided", { id: item.order.id }));
  });
});

for (const dialog of document.querySelectorAll("dialog")) {
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
}

// --- new paid orders, polled ------------------------------------------------------------------

async function poll() {
  if (document.hidden) return;
  try {
    const feed = await api(`/api/host/desk/paid${feedCursor ? `?since=${encodeURIComponent(feedCursor)}` : ""}`);
    const news = feed.items.filter((item) => !seen.has(item.order.id));
    if (feedCursor) {
      for (const item of news) {
        seen.add(item.order.id);
        toast(t("desk.newOrder", { id: item.order.id }));
      }
      if (news.length) {
        fresh += news.length;
        $("#new-orders-text").textContent = t("desk.newOrders", { n: fresh });
        $("#new-orders").hidden = false;
        if (tab === "to_ship" || tab === "") {
          items = [...news.map((item) => ({ ...item, fresh: true })), ...items];
          render();
        }
        refreshCounts();
      }
    } else for (const item of news) seen.add(item.order.id);
    feedCursor = feed.cursor;
  } catch {
    // The next poll tries again; the list itself still works.
  }
}

$("#refresh").addEventListener("click", () => {
  fresh = 0;
  $("#new-orders").hidden = true;
  load();
});

$("#filters").addEventListener("submit", (event) => {
  event.preventDefault();
  load();
  exportLink();
});
$("#filters").addEventListener("reset", () => setTimeout(() => { load(); exportLink(); }));
$("#more").addEventListener("click", () => load(true));

await boot();
const user = await requireLogin();
if (user) {
  readOnly = !user.roles.includes("host") && !user.roles.includes("admin") && user.roles.includes("staff");
  const isHost = user.roles.includes("host") || user.roles.includes("admin") || readOnly;
  $("#not-host").hidden = isHost;
  $("#desk").hidden = !isHost;
  if (isHost) {
    onLangChange(() => { renderSessions(); render(); exportLink(); });
    exportLink();
    renderSessions();
    api("/api/host/desk/sessions").then((found) => { sessions = found; renderSessions(); }).catch(() => {});
    await load();
    await poll();
    setInterval(poll, POLL_MS);
  }
}
