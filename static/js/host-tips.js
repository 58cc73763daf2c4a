// The host's tip earnings on its payouts page (GET /api/host/tips): tips today and in all, and
// its share after the platform's fee. The share waits in escrow for the hold, then is settled.
import { api } from "./api.js";
import { $, h } from "./dom.js";
import { onLangChange, t } from "./i18n.js";
import { money } from "./money.js";

let tips = null;

function render() {
  const box = $("#host-tips");
  if (!box || !tips) return;
  const cards = [
    ["tips.today", t("tips.count", { n: tips.todayTips }), money(tips.todayHostShare)],
    ["tips.total", t("tips.count", { n: tips.totalTips }), money(tips.totalHostShare)],
  ];
  box.replaceChildren(h("h2", {}, t("tips.title")), h("div", { class: "grid" }, ...cards.map(([key, count, share]) =>
    h("div", { class: "card", dataset: { card: key } }, h("h3", {}, t(key)), h("div", { class: "stat" }, share), h("div", { class: "muted" }, count)))),
  h("p", { class: "muted" }, t("tips.hold")));
  box.hidden = false;
}

async function start() {
  try {
    tips = await api("/api/host/tips");
  } catch {
    return; // not a host: the page says so itself
  }
  render();
  onLangChange(render);
}

start();
