// The distributor dashboard: money and funnel cards, link + QR generator, commissions,
// team by level, withdrawals. Not a distributor yet: the form to become one.
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money, percentBp, toFen } from "../money.js";
import {
  becomeDistributor, myCommissions, myDistributor, myTeam, myWithdrawals, qrSource, shareLink, withdraw,
} from "../distribution-api.js";
import { requireLogin } from "../session.js";

let stats = null;
let commissions = [];
let team = { counts: {}, items: [] };
let teamLevel = 1;
let withdrawals = [];

function table(headers, rows, empty = "—") {
  return h("table", {}, h("thead", {}, h("tr", {}, headers.map(([key, num]) => h("th", { class: num ? "num" : "" }, t(key))))),
    h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: String(headers.length), class: "empty" }, empty))));
}

function render() {
  if (!stats) return;
  const conv = stats.clicks ? Math.round((stats.orders / stats.clicks) * 10000) : 0;
  $("#my-code").textContent = stats.profile ? stats.profile.code : "";
  const cards = [["dist.pending", money(stats.pending)], ["dist.settled", money(stats.settled)], ["dist.available", money(stats.available)],
    ["dist.withdrawn", money(stats.withdrawn)], ["dist.clicks", stats.clicks], ["dist.orders", stats.orders], ["dist.conversion", percentBp(conv)]];
  $("#cards").replaceChildren(...cards.map(([key, value]) => h("div", { class: "card" }, h("h3", {}, t(key)), h("div", { class: "stat" }, String(value)))));
  $("#commissions").replaceChildren(table(
    [["dist.col.order"], ["dist.col.item"], ["dist.col.buyer"], ["dist.col.level"], ["dist.col.rate", 1], ["dist.col.amount", 1], ["dist.col.status"], ["dist.col.reason"]],
    commissions.map((c) => h("tr", {}, h("td", {}, `#${c.orderId}`), h("td", {}, c.itemTitle), h("td", {}, c.buyer), h("td", {}, t("dist.level", { n: c.level })),
      h("td", { class: "num" }, percentBp(c.rateBp)), h("td", { class: "num" }, money(c.netAmount ?? c.amount)),
      h("td", {}, h("span", { class: "badge" }, t(`cstatus.${c.status}`))), h("td", {}, c.reversalReason || "")))));
  $("#team-levels").replaceChildren(...[1, 2, 3].map((level) => h("button", {
    type: "button", class: "small", "aria-pressed": String(level === teamLevel),
    onclick: () => { teamLevel = level; loadTeam(); },
  }, `${t("dist.level", { n: level })} (${(team.counts || {})[level] ?? (team.counts || {})[String(level)] ?? 0})`)));
  $("#team-levels").className = "row tabs";
  $("#team").replaceChildren(table([["dist.col.name"], ["dist.code"], ["dist.col.status"], ["dist.col.joined"]],
    team.items.map((m) => h("tr", {}, h("td", {}, m.name), h("td", {}, m.code), h("td", {}, m.status), h("td", {}, dateTime(m.joinedAt))))));
  $("#withdrawals").replaceChildren(table([["dist.col.time"], ["wallet.amountCol", 1], ["dist.col.fee", 1], ["dist.col.payout", 1], ["dist.col.status"]],
    withdrawals.map((w) => h("tr", {}, h("td", {}, dateTime(w.createdAt)), h("td", { class: "num" }, money(w.amount)),
      h("td", { class: "num" }, money(w.fee)), h("td", { class: "num" }, money(w.payout)), h("td", {}, w.status)))));
}

async function loadTeam() {
  try {
    team = await myTeam(teamLevel);
  } catch (err) {
    showError(err, $("#error"));
  }
  render();
}

async function load() {
  try {
    stats = await myDistributor();
  } catch (err) {
    // Not a distributor yet: offer to become one. Anything else (the API away) is shown.
    $("#become").hidden = !(err.code === "not_a_distributor" || err.status === 404);
    if (err.code !== "not_a_distributor") showError(err, $("#error"));
    return;
  }
  render();
  $("#dashboard").hidden = false;
  $("#become").hidden = true;
  const [c, w] = await Promise.allSettled([myCommissions(), myWithdrawals()]);
  commissions = c.status === "fulfilled" ? c.value.items : [];
  withdrawals = w.status === "fulfilled" ? w.value.items : [];
  await loadTeam();
}

$("#become-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act(event.submitter, $("#become-error"), async () => {
    const out = await becomeDistributor($("#parent-code").value.trim() || null);
    if (out.status === "pending") $("#become-error").textContent = t("dist.pendingReview");
    else location.reload();
  });
});

$("#link-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act(event.submitter, $("#link-error"), async () => {
    const id = parseInt($("#target-id").value, 10);
    if (!id) throw { code: "validation_error", detail: t("dist.target") };
    const kind = event.target.elements.target.value;
    const link = await shareLink(kind === "room" ? { roomId: id } : { productId: id });
    const url = link.url.startsWith("/") ? location.origin + link.url : link.url;
    const qr = qrSource(link);
    $("#link-out").replaceChildren(
      h("p", {}, h("a", { href: url, id: "share-url" }, url)),
      qr && qr.url ? h("img", { class: "qr", src: qr.url, alt: t("share.qr") }) : null);
  });
});

$("#withdraw-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("#withdraw-ok").textContent = "";
  act(event.submitter, $("#withdraw-error"), async () => {
    const amount = toFen($("#withdraw-amount").value);
    if (!amount) throw { code: "validation_error", detail: t("wallet.amount") };
    const out = await withdraw(amount, $("#withdraw-note").value);
    $("#withdraw-ok").textContent = `${money(out.amount)} · ${out.status}`;
    load();
  });
});

await boot();
if (await requireLogin()) {
  onLangChange(render);
  load();
}
