// My points (/me/points): what I hold with each host (available, frozen), and for the host I
// pick its rules, the points still thawing and every movement (earned, thawed, spent, back).
import { $, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, percentBp } from "../money.js";
import { entryText, myPoints, myPointsEntries, myPointsHosts } from "../points.js";
import { requireLogin } from "../session.js";

let hosts = [];
let picked = null; // { points, entries } of the chosen host

function renderHosts() {
  $("#none").hidden = hosts.length > 0;
  $("#hosts").replaceChildren(...hosts.map((x) => h("div", { class: "card points-host" },
    h("h3", {}, x.hostName || `#${x.hostId}`),
    h("p", {}, t("points.available"), " ", h("strong", { class: "stat", id: `points-available-${x.hostId}` }, String(x.available))),
    h("p", { class: "muted" }, t("points.frozen"), " ", h("span", { id: `points-frozen-${x.hostId}` }, String(x.frozen))),
    h("button", { type: "button", class: "small", "aria-controls": "detail", onclick: () => pick(x.hostId, true) }, t("points.pick")))));
}

function renderDetail() {
  $("#detail").hidden = !picked;
  if (!picked) return;
  const { points: p, entries } = picked;
  const s = p.settings;
  $("#rules").textContent = t("points.rules", { earn: s.earnBp / 100, days: s.frozenDays, rate: s.pointsPerYuan, cap: percentBp(s.capBp) });
  $("#thawing").replaceChildren(...p.thawing.map((x) => h("li", {}, t("points.thawing", { order: x.orderId, points: x.points, time: dateTime(x.thawAt) }))));
  $("#entries").replaceChildren(...(entries.length ? entries.map((e) => h("tr", {},
    h("td", {}, dateTime(e.createdAt)),
    h("td", {}, e.orderId ? h("a", { href: `/me/orders/${e.orderId}` }, entryText(e)) : entryText(e)),
    h("td", { class: "num" }, e.amount > 0 ? `+${e.amount}` : String(e.amount)),
    h("td", { class: "num" }, e.balanceAfter == null ? "" : String(e.balanceAfter))))
    : [h("tr", {}, h("td", { colspan: "4", class: "empty" }, "—"))]));
}

async function pick(hostId, focus = false) {
  try {
    const [points, page] = await Promise.all([myPoints(hostId), myPointsEntries(hostId)]);
    picked = { points, entries: page.items };
    renderDetail();
    if (focus) $("#detail-h").focus(); // a keyboard user lands on what they asked for
  } catch (err) {
    showError(err, $("#error"));
  }
}

await boot();
if (await requireLogin()) {
  onLangChange(() => {
    renderHosts();
    renderDetail();
  });
  try {
    hosts = await myPointsHosts();
    renderHosts();
    const wanted = Number(new URLSearchParams(location.search).get("hostId")) || (hosts[0] && hosts[0].hostId);
    if (wanted) await pick(wanted);
  } catch (err) {
    showError(err, $("#error"));
  }
}
