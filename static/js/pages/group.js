// A group buy's page (/g/{id}), where its share link lands: the product at the group price, the
// members' initials and the empty seats, the time left on the server's clock, a join button, and
// for a member the share card (the link to copy; a distributor's own share code kept on it).
import { api } from "../api.js";
import * as clock from "../clock.js";
import { $, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { money } from "../money.js";
import { GroupSheet, groupOffer, leftText } from "../room/group-buy.js";
import { loginUrl } from "../session.js";

const groupId = Number(location.pathname.split("/").filter(Boolean)[1]);
const POLL_MS = 3000;
let group = null;
let user = null;
let shareCode = null;

function statusText(g) {
  if (g.status === "succeeded") return t("group.succeeded");
  if (g.status === "failed") return t("group.failed");
  if (g.status === "open" && Date.parse(g.expiresAt) <= clock.now()) return t("group.ended");
  if (g.status === "open") return t("group.need", { n: g.seatsLeft });
  return t("group.notOpen");
}

function shareUrl() {
  if (shareCode) return new URL(`/s/${shareCode}?g=${groupId}`, location.origin).href;
  return new URL(`/g/${groupId}`, location.origin).href;
}

function render() {
  if (!group) return;
  const g = group;
  document.title = `${t("group.title")} · ${g.productTitle}`;
  $("#group-product").textContent = g.productTitle;
  const image = $("#group-image");
  image.hidden = !g.imageUrl;
  if (g.imageUrl) image.src = g.imageUrl;
  $("#group-price").textContent = money(g.groupPrice);
  $("#group-list-price").textContent = money(g.listPrice);
  $("#group-size").textContent = ` · ${t("group.size", { n: g.groupSize })}`;
  $("#group-status").textContent = statusText(g);
  $("#group-deadline").hidden = g.status !== "open";
  $("#group-countdown").textContent = g.expiresAt ? leftText(g.expiresAt) : "";
  const seats = g.members.map((m) => h("span", { class: "group-face", title: m.name, "aria-label": m.leader ? `${m.name} (${t("group.leader")})` : m.name },
    m.initial, m.leader ? h("span", { class: "group-badge", "aria-hidden": "true" }, t("group.leader")) : ""));
  for (let i = 0; i < g.seatsLeft; i += 1) seats.push(h("span", { class: "group-face empty", "aria-label": t("group.emptySeat") }, "?"));
  $("#group-seats").replaceChildren(...seats);
  const member = g.me && g.me.status !== "released";
  const open = g.status === "open" && Date.parse(g.expiresAt) > clock.now() && g.seatsLeft > 0;
  $("#group-join").hidden = !open || member;
  $("#group-product-link").href = `/products/${g.productId}`;
  $("#group-share").hidden = !(member && open);
  $("#group-share-text").textContent = t("group.shareText", { n: g.seatsLeft, price: money(g.groupPrice), title: g.productTitle });
  $("#group-share-url").value = shareUrl();
  if (g.me && g.me.rehomedFrom) $("#group-status").textContent = `${statusText(g)} · ${t("group.rehomed")}`;
}

async function refresh() {
  try {
    group = await api(`/api/group-buys/${groupId}`);
    clock.sync(group.serverNow);
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

async function start() {
  user = await boot();
  const groupSheet = new GroupSheet($("#group-sheet"), $("#group-sheet-body"), { loginHref: loginUrl(), loggedIn: Boolean(user) });
  await refresh();
  if (!group) return;
  $("#group").hidden = false;
  if (user && (user.roles || []).includes("distributor") && group.me) {
    // A distributor's share card goes through their own share link of the product (/s/{code}
    // records the click and binds whoever follows it), landing back on this group (?g=).
    const link = await api("/api/share-links", { method: "POST", body: { productId: group.productId } }).catch(() => null);
    shareCode = link ? link.code : null;
    render();
  }
  onLangChange(render);
  $("#group-join").addEventListener("click", async () => {
    const [product, offer] = await Promise.all([api(`/api/products/${group.productId}`).catch(() => ({ id: group.productId, title: group.productTitle, skus: [] })),
      groupOffer(group.productId)]);
    const terms = offer || { prices: group.prices, groupSize: group.groupSize, hours: 0 };
    groupSheet.open(product, terms, groupId);
  });
  $("#group-copy").addEventListener("click", async () => {
    const input = $("#group-share-url");
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      input.select(); // no clipboard permission: the link is selected to copy by hand
    }
    $("#group-copied").textContent = t("group.copied");
  });
  setInterval(() => {
    if (group) $("#group-countdown").textContent = group.expiresAt ? leftText(group.expiresAt) : "";
  }, 1000);
  setInterval(refresh, POLL_MS);
}

start();
