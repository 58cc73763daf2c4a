// The customer 360 (/host/members/{id}) for a host and its staff: figures, follow-up status with
// its history, tags (rule tags with their evidence, manual ones added and removed here), notes,
// orders, rooms watched, products viewed, coupons, the distributor chain and growth.
import { api } from "../api.js";
import { chip } from "../crm-tags.js";
import { $, act, h, showError, toast } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { requireLogin } from "../session.js";

const userId = Number(location.pathname.split("/")[3]);
const base = `/api/host/members/${userId}`;
let view = null;
let palette = [];

function minutes(seconds) {
  return t("crm.minutes", { n: Math.round((seconds || 0) / 60) });
}

function figure(key, value) {
  return h("div", { class: "card", dataset: { figure: key } }, h("span", { class: "muted" }, t(`crm.fig.${key}`)), h("b", {}, value));
}

function renderFigures() {
  const m = view.member;
  $("#figures").replaceChildren(
    figure("spend", money(m.lifetimeSpend)),
    figure("orders", String(m.paidOrders)),
    figure("aov", money(m.averageOrderValue)),
    figure("tier", m.tierName || m.tierCode || t("crm.noTier")),
    figure("points", t("crm.pointsValue", { available: view.points.available, frozen: view.points.frozen })),
    figure("watch", minutes(view.watchSeconds)),
    figure("lastPaid", m.lastPaidAt ? dateTime(m.lastPaidAt) : "—"));
}

function renderFollowUp() {
  const f = view.followUp;
  $("#follow-status").value = f.status;
  $("#follow-history").replaceChildren(...(f.history.length ? f.history.map((c) => h("li", {},
    t("crm.follow.change", { from: t(`crm.follow.${c.fromStatus}`), to: t(`crm.follow.${c.toStatus}`) }), " ",
    h("span", { class: "muted" }, `${c.actorName || "?"} · ${dateTime(c.at)}`))) : [h("li", { class: "muted" }, t("crm.follow.none"))]));
}

async function removeTag(tag) {
  await act(null, $("#tag-error"), async () => {
    view.tags = await api(`${base}/tags/${tag.tagId}`, { method: "DELETE" });
    renderTags();
  });
}

function renderTags() {
  $("#tags").replaceChildren(...(view.tags.length ? view.tags.map((tag) => chip(tag, removeTag))
    : [h("li", { class: "muted" }, t("crm.tags.none"))]));
  const on = new Set(view.tags.filter((tag) => tag.kind === "manual").map((tag) => tag.tagId));
  const free = palette.filter((tag) => !on.has(tag.id));
  $("#tag-select").replaceChildren(...(free.length ? free.map((tag) => h("option", { value: String(tag.id) }, tag.name))
    : [h("option", { value: "" }, t("crm.tags.noneLeft"))]));
}

function renderNotes() {
  $("#notes").replaceChildren(...(view.notes.length ? view.notes.map((n) => h("li", { dataset: { noteId: n.id } },
    h("p", { class: "note-body" }, n.body), h("span", { class: "muted" }, `${n.authorName || "?"} · ${dateTime(n.createdAt)}`)))
    : [h("li", { class: "muted" }, t("crm.notes.none"))]));
}

function list(target, rows, empty, line) {
  $(target).replaceChildren(...(rows.length ? rows.map(line) : [h("li", { class: "muted" }, t(empty))]));
}

function renderRest() {
  const orders = view.orders;
  $("#orders").replaceChildren(orders.length ? h("table", { class: "crm-table" },
    h("thead", {}, h("tr", {}, ["id", "items", "amount", "status", "placed"].map((k) => h("th", { class: k === "amount" ? "num" : "" }, t(`crm.orders.${k}`))))),
    h("tbody", {}, orders.map((o) => h("tr", { dataset: { orderId: o.id } },
      h("td", {}, h("a", { href: `/host/orders?q=${o.id}` }, `#${o.id}`)),
      h("td", {}, o.items > 1 ? t("crm.orders.more", { title: o.title, n: o.items }) : o.title),
      h("td", { class: "num" }, money(o.payAmount), o.refundedAmount ? h("div", { class: "muted" }, t("desk.refunded", { amount: money(o.refundedAmount) })) : null),
      h("td", {}, h("span", { class: "badge", dataset: { status: o.status } }, t(`desk.status.${o.status}`))),
      h("td", {}, dateTime(o.createdAt)))))) : h("p", { class: "muted" }, t("crm.orders.none")));
  list("#rooms", view.rooms, "crm.rooms.none", (r) => h("li", {}, h("b", {}, r.title || `#${r.roomId}`), " ",
    h("span", { class: "muted" }, t("crm.rooms.line", { visits: r.visits, time: minutes(r.watchSeconds), at: dateTime(r.lastAt) }))));
  list("#viewed", view.productsViewed, "crm.viewed.none", (p) => h("li", {}, h("b", {}, p.title || `#${p.productId}`), " ",
    h("span", { class: "muted" }, t("crm.viewed.line", { views: p.views, days: p.days })), " ",
    h("span", { class: "badge" }, t(p.bought ? "crm.viewed.bought" : "crm.viewed.notBought"))));
  $("#coupon-counts").textContent = t("crm.coupons.counts", { held: view.coupons.held, used: view.coupons.used });
  list("#coupons", view.coupons.items, "crm.coupons.none", (c) => h("li", {}, c.title, " ",
    h("span", { class: "muted" }, `${t(`crm.coupon.${c.status}`)} · ${dateTime(c.claimedAt)}`)));
  const d = view.distributor;
  $("#distributor").replaceChildren(
    h("p", {}, d.boundTo ? t("crm.distributor.bound", { name: d.boundTo.name, since: dateTime(d.boundSince) }) : t("crm.distributor.none")),
    d.lastOrderChain.length ? h("p", { class: "muted" }, t("crm.distributor.chain", { id: d.lastOrderId,
      chain: d.lastOrderChain.map((l) => `L${l.level} ${l.name}`).join(" → ") })) : null);
  list("#growth", view.growth, "crm.growth.none", (g) => h("li", {}, `${g.amount > 0 ? "+" : ""}${money(g.amount)} `,
    h("span", { class: "muted" }, t("crm.growth.line", { id: g.orderId, at: dateTime(g.at) }))));
}

function render() {
  $("#member-name").textContent = view.displayName;
  $("#member-sub").textContent = t("crm.member.sub", { username: view.username, id: view.userId,
    since: view.member.memberSince ? dateTime(view.member.memberSince) : t("crm.notMember") });
  document.title = `${view.displayName} · ${t("crm.member.title")}`;
  renderFigures();
  renderFollowUp();
  renderTags();
  renderNotes();
  renderRest();
}

async function load() {
  try {
    [view, { manual: palette }] = await Promise.all([api(base), api("/api/host/tags")]);
    $("#member").hidden = false;
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

$("#follow-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act(event.submitter, $("#follow-error"), async () => {
    view.followUp = await api(`${base}/follow-up`, { method: "PUT", body: { status: $("#follow-status").value } });
    renderFollowUp();
    toast(t("crm.follow.saved"));
  });
});

$("#tag-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const tagId = Number($("#tag-select").value);
  if (!tagId) return;
  act(event.submitter, $("#tag-error"), async () => {
    view.tags = await api(`${base}/tags`, { method: "POST", body: { tagId } });
    renderTags();
  });
});

$("#new-tag-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("#new-tag-name").value.trim();
  if (!name) return;
  act(event.submitter, $("#tag-error"), async () => {
    const made = await api("/api/host/tags", { method: "POST", body: { name, colour: $("#new-tag-colour").value } });
    palette = [...palette, made];
    view.tags = await api(`${base}/tags`, { method: "POST", body: { tagId: made.id } });
    $("#new-tag-name").value = "";
    renderTags();
  });
});

$("#note-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const body = $("#note-body").value.trim();
  if (!body) return;
  act(event.submitter, $("#note-error"), async () => {
    const note = await api(`${base}/notes`, { method: "POST", body: { body } });
    view.notes = [note, ...view.notes];
    $("#note-body").value = "";
    renderNotes();
  });
});

await boot();
if (await requireLogin()) {
  onLangChange(() => view && render());
  await load();
}
