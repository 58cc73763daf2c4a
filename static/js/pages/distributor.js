// The distributor dashboard (分销中心): figures, the product library (copy a link, make a
// poster), links with their results, bound buyers, commissions with their settle dates, the
// team by level with this month's sales, withdrawals. Not a distributor yet: the form to
// become one.
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { money, percentBp, toFen } from "../money.js";
import {
  becomeDistributor, myCommissions, myDistributor, myTeam, myWithdrawals, qrSource, shareLink, withdraw,
} from "../distribution-api.js";
import { boundBuyers, linkStats } from "../distributor/api.js";
import { renderLibrary, setupLibrary } from "../distributor/library.js";
import { setupPosterDialog } from "../distributor/poster.js";
import { buyersList, commissionsTable, linksTable, teamTable, withdrawalsTable } from "../distributor/sections.js";
import { requireLogin } from "../session.js";

let stats = null;
let commissions = [];
let team = { counts: {}, items: [], levels: 0, salesThisMonth: {} };
let teamLevel = 1;
let withdrawals = [];
let links = [];
let buyers = { count: 0, items: [] };

function renderCards() {
  const conv = stats.clicks ? Math.round((stats.orders / stats.clicks) * 10000) : 0;
  $("#my-code").textContent = stats.profile ? stats.profile.code : "";
  const cards = [["dist.pending", money(stats.pending)], ["dist.settled", money(stats.settled)], ["dist.available", money(stats.available)],
    ["dist.withdrawn", money(stats.withdrawn)], ["dist.clicks", stats.clicks], ["dist.orders", stats.orders], ["dist.conversion", percentBp(conv)]];
  $("#cards").replaceChildren(...cards.map(([key, value]) => h("div", { class: "card" }, h("h3", {}, t(key)), h("div", { class: "stat" }, String(value)))));
}

function renderTeam() {
  const levels = Array.from({ length: team.levels || 0 }, (_, i) => i + 1);
  $("#team-levels").replaceChildren(...levels.map((level) => h("button", {
    type: "button", class: "small", "aria-pressed": String(level === teamLevel),
    onclick: () => { teamLevel = level; loadTeam(); },
  }, `${t("dist.level", { n: level })} (${(team.counts || {})[String(level)] ?? 0})`)));
  const month = Object.values(team.salesThisMonth || {}).reduce((a, b) => a + b, 0);
  $("#team-sales").textContent = t("dist.team.sales", { amount: money(month), level: money((team.salesThisMonth || {})[String(teamLevel)] || 0), n: teamLevel });
  $("#team").replaceChildren(teamTable(team));
}

function render() {
  if (!stats) return;
  renderCards();
  renderLibrary();
  $("#commissions").replaceChildren(commissionsTable(commissions));
  $("#links").replaceChildren(linksTable(links));
  $("#buyers-count").textContent = t("dist.buyers.count", { n: buyers.count });
  $("#buyers").replaceChildren(...buyersList(buyers));
  renderTeam();
  $("#withdrawals").replaceChildren(withdrawalsTable(withdrawals));
}

async function loadTeam() {
  try {
    team = await myTeam(teamLevel);
  } catch (err) {
    showError(err, $("#error"));
  }
  render();
}

async function loadLinks() {
  try {
    links = (await linkStats()).items;
  } catch (err) {
    showError(err, $("#error"));
  }
  if (stats) $("#links").replaceChildren(linksTable(links));
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
  const [c, w, l, b] = await Promise.allSettled([myCommissions(), myWithdrawals(), linkStats(), boundBuyers()]);
  commissions = c.status === "fulfilled" ? c.value.items : [];
  withdrawals = w.status === "fulfilled" ? w.value.items : [];
  links = l.status === "fulfilled" ? l.value.items : [];
  buyers = b.status === "fulfilled" ? b.value : buyers;
  await Promise.all([loadTeam(), setupLibrary({ onLink: loadLinks })]);
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
    loadLinks();
  });
});

$("#withdraw-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("#withdraw-ok").textContent = "";
  act(event.submitter, $("#withdraw-error"), async () => {
    const amount = toFen($("#withdraw-amount").value);
    if (!amount) throw { code: "validation_error", detail: t("wallet.amount") };
    const out = await withdraw(amount, $("#withdraw-note").value);
    $("#withdraw-ok").textContent = `${money(out.amount)} · ${t(`dist.wstatus.${out.status}`)}`;
    load();
  });
});

setupPosterDialog();
await boot();
if (await requireLogin()) {
  onLangChange(render);
  load();
}
