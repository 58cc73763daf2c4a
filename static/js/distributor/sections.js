// The dashboard's lists: commissions, links with their results, bound buyers, the team.
// Tables turn into one card per row on a phone (distributor.css reads each cell's data-label).
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime, money, percentBp } from "../money.js";
import { absolute } from "./api.js";
import { reasonText, settleText } from "./commission-text.js";

export function table(headers, rows, empty = "—") {
  return h("table", { class: "stack-table" },
    h("thead", {}, h("tr", {}, headers.map(([key, num]) => h("th", { class: num ? "num" : "" }, t(key))))),
    h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: String(headers.length), class: "empty" }, empty))));
}

function cell(labelKey, content, cls = "") {
  return h("td", { class: cls, "data-label": t(labelKey) }, content);
}

export function commissionsTable(items) {
  return table(
    [["dist.col.order"], ["dist.col.item"], ["dist.col.buyer"], ["dist.col.level"], ["dist.col.rate", 1], ["dist.col.amount", 1],
      ["dist.col.status"], ["dist.col.settle"], ["dist.col.reason"]],
    items.map((c) => h("tr", {},
      cell("dist.col.order", `#${c.orderId}`), cell("dist.col.item", c.itemTitle), cell("dist.col.buyer", c.buyer),
      cell("dist.col.level", t("dist.level", { n: c.level })),
      cell("dist.col.rate", percentBp(c.rateBp), "num"), cell("dist.col.amount", money(c.netAmount ?? c.amount), "num"),
      cell("dist.col.status", h("span", { class: `badge cstatus-${c.status}` }, t(`cstatus.${c.status}`))),
      cell("dist.col.settle", settleText(c), "settle"),
      cell("dist.col.reason", reasonText(c), "reason"))),
    t("dist.commissions.empty"));
}

export function linksTable(items) {
  return table(
    [["dist.col.target"], ["dist.col.clicks", 1], ["dist.col.bound", 1], ["dist.col.orders", 1], ["dist.col.sales", 1], ["dist.col.link"]],
    items.map((l) => h("tr", { dataset: { code: l.code } },
      cell("dist.col.target", h("span", {}, h("span", { class: "badge" }, t(`dist.kind.${l.target}`)), " ", l.title)),
      cell("dist.col.clicks", String(l.clicks), "num"), cell("dist.col.bound", String(l.boundBuyers), "num"),
      cell("dist.col.orders", String(l.orders), "num"), cell("dist.col.sales", money(l.sales), "num"),
      cell("dist.col.link", h("a", { href: absolute(l.url), class: "link-url" }, absolute(l.url))))),
    t("dist.links.empty"));
}

export function buyersList(page) {
  const items = page.items.map((b) => h("li", {},
    h("strong", {}, b.name),
    h("span", { class: "muted" }, t("dist.buyers.boundAt", { date: dateTime(b.boundAt) })),
    h("span", { class: "muted" }, b.expiresAt ? t("dist.buyers.until", { date: dateTime(b.expiresAt) }) : t("dist.buyers.forever")),
    h("span", {}, t("dist.buyers.orders", { n: b.orders }))));
  return items.length ? items : [h("li", { class: "empty" }, t("dist.buyers.empty"))];
}

export function teamTable(team) {
  return table(
    [["dist.col.name"], ["dist.code"], ["dist.col.level"], ["dist.col.status"], ["dist.col.joined"], ["dist.col.monthOrders", 1], ["dist.col.monthSales", 1]],
    team.items.map((m) => h("tr", {},
      cell("dist.col.name", m.name), cell("dist.code", m.code), cell("dist.col.level", t("dist.level", { n: m.level })),
      cell("dist.col.status", t(`dist.member.${m.status}`)), cell("dist.col.joined", dateTime(m.joinedAt)),
      cell("dist.col.monthOrders", String(m.ordersThisMonth ?? 0), "num"), cell("dist.col.monthSales", money(m.salesThisMonth ?? 0), "num"))),
    t("dist.team.empty"));
}

export function withdrawalsTable(items) {
  return table([["dist.col.time"], ["wallet.amountCol", 1], ["dist.col.fee", 1], ["dist.col.payout", 1], ["dist.col.status"], ["dist.col.reason"]],
    items.map((w) => h("tr", { dataset: { withdrawalId: String(w.id) } }, cell("dist.col.time", dateTime(w.createdAt)), cell("wallet.amountCol", money(w.amount), "num"),
      cell("dist.col.fee", money(w.fee), "num"), cell("dist.col.payout", money(w.payout), "num"),
      cell("dist.col.status", t(`dist.wstatus.${w.status}`)),
      // the platform's reason for a rejection (POST /api/admin/withdrawals/{id}/reject)
      cell("dist.col.reason", w.decisionReason || ""))));
}
