// A session's tips in its report (GET /api/sessions/{id}/tips): count, tippers, fen tipped, the
// host's share after the platform's fee, the top gifts, and the top tippers (masked names).
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money } from "../money.js";

export function renderTips(section, tips) {
  section.hidden = !tips;
  if (!tips) return;
  const figures = [
    ["count", String(tips.tips)],
    ["tippers", String(tips.tippers)],
    ["amount", money(tips.amount)],
    ["hostShare", money(tips.hostShare)],
    ["fee", money(tips.fee)],
  ];
  const grid = h("div", { class: "figure-grid", id: "tip-figures" }, ...figures.map(([key, value]) => h("div", { dataset: { figure: key } },
    h("div", { class: "label" }, t(`report.tips.${key}`)), h("div", { class: "stat", id: `tips-${key}` }, value))));
  const gifts = h("table", { id: "tip-gifts" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("report.tips.gift")), h("th", { scope: "col", class: "num" }, t("report.tips.count")),
      h("th", { scope: "col", class: "num" }, t("report.tips.quantity")), h("th", { scope: "col", class: "num" }, t("report.tips.amount")))),
    h("tbody", {}, ...(tips.topGifts.length ? tips.topGifts.map((g) => h("tr", { dataset: { giftId: g.giftId } },
      h("td", { class: "product" }, h("img", { src: g.icon, alt: "" }), g.name), h("td", { class: "num" }, String(g.tips)),
      h("td", { class: "num" }, String(g.quantity)), h("td", { class: "num" }, money(g.amount))))
      : [h("tr", {}, h("td", { colspan: "4", class: "empty" }, t("report.tips.none")))])));
  const tippers = h("ol", { id: "tip-tippers", class: "tippers" }, ...tips.topTippers.map((x) => h("li", {}, `${x.name} · ${money(x.amount)}`)));
  section.replaceChildren(h("h2", { id: "tips-h" }, t("report.tips")), grid,
    h("h3", {}, t("report.tips.topGifts")), h("div", { class: "table-wrap" }, gifts),
    tips.topTippers.length ? h("h3", {}, t("report.tips.topTippers")) : null, tips.topTippers.length ? tippers : null);
}
