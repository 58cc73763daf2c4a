// /admin/reports: figures by day in the business zone (GMV and orders, refunds, commissions and
// platform fees) as uPlot charts and a table, the top hosts, rooms and distributors, the money
// the platform holds now and the reconciliation status (a warning when a payment is pending past
// its deadline). Every figure is the API's (GET /api/admin/reports/*), in fen, shown in yuan.
import { api } from "../api.js";
import { $, h, showError } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { dayChart, fitChart } from "./day-chart.js";
import { adminPage } from "./nav.js";

const TOTALS = [["gmv", 1], ["orders", 0], ["refunds", 1], ["refundCount", 0], ["commissionsCreated", 1],
  ["commissionsSettled", 1], ["platformFees", 1]];
const PENDING = ["escrow", "receivable", "commissionsPending", "commissionsDue", "withdrawalsHeld", "payoutsHeld",
  "wallets", "redPackets"];
const TOP_BY = ["host", "room", "distributor"];
let data = null;
let charts = [];

function figure(key, value, isMoney, prefix) {
  return h("div", { dataset: { figure: key, value: String(value) } },
    h("div", { class: "label" }, t(`${prefix}.${key}`)),
    h("div", { class: "stat" }, isMoney ? money(value) : String(value)));
}

function renderCharts(days) {
  for (const chart of charts) chart.destroy();
  charts = [];
  const boxes = [$("#gmv-chart"), $("#refunds-chart"), $("#money-chart")];
  for (const box of boxes) box.replaceChildren();
  charts.push(dayChart(boxes[0], days, [
    { label: t("admin.reports.fig.gmv"), stroke: "#fe2c55", fill: "rgba(254,44,85,.08)", money: true, get: (d) => d.gmv },
    { label: t("admin.reports.fig.orders"), stroke: "#1f4fbf", scale: "n", get: (d) => d.orders },
  ], t("admin.reports.col.day")));
  charts.push(dayChart(boxes[1], days, [
    { label: t("admin.reports.fig.refunds"), stroke: "#c4182f", fill: "rgba(196,24,47,.08)", money: true, get: (d) => d.refunds },
  ], t("admin.reports.col.day")));
  charts.push(dayChart(boxes[2], days, [
    { label: t("admin.reports.fig.commissionsCreated"), stroke: "#b86e00", money: true, get: (d) => d.commissionsCreated },
    { label: t("admin.reports.fig.commissionsSettled"), stroke: "#13a36b", money: true, get: (d) => d.commissionsSettled },
    { label: t("admin.reports.fig.platformFees"), stroke: "#6b3fd4", money: true, get: (d) => d.platformFees },
  ], t("admin.reports.col.day")));
}

function dailyTable(days) {
  return h("table", { class: "admin-table" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("admin.reports.col.day")),
      TOTALS.map(([key]) => h("th", { scope: "col", class: "num" }, t(`admin.reports.fig.${key}`))))),
    h("tbody", {}, [...days].reverse().map((d) => h("tr", { dataset: { day: d.day } },
      h("th", { scope: "row" }, d.day),
      TOTALS.map(([key, isMoney]) => h("td", { class: "num", dataset: { figure: key, value: String(d[key]) } },
        isMoney ? money(d[key]) : String(d[key])))))));
}

function topTable(by, rows) {
  const cols = by === "distributor" ? ["name", "commission", "gmv", "orders"] : ["name", "gmv", "orders", "refunded", "commission"];
  return h("table", { class: "admin-table", dataset: { top: by } },
    h("thead", {}, h("tr", {}, h("th", { scope: "col", class: "num" }, "#"),
      cols.map((c) => h("th", { scope: "col", class: c === "name" ? "" : "num" }, t(`admin.reports.col.${c}`))))),
    h("tbody", {}, rows.length ? rows.map((row, i) => h("tr", { dataset: { id: String(row.id) } },
      h("td", { class: "num" }, String(i + 1)),
      cols.map((c) => {
        if (c === "name") {
          const link = by === "room" ? h("a", { href: `/rooms/${row.id}` }, row.name) : h("a", { href: `/admin/users/${row.id}` }, row.name);
          return h("td", {}, link, row.hostName ? h("div", { class: "muted" }, row.hostName) : null);
        }
        return h("td", { class: "num", dataset: { figure: c, value: String(row[c]) } }, c === "orders" ? String(row[c]) : money(row[c]));
      })))
      : h("tr", {}, h("td", { colspan: String(cols.length + 1), class: "empty" }, t("admin.reports.noRows")))));
}

function renderRecon(recon) {
  const late = recon.overdueCount > 0;
  $("#reconciliation").classList.toggle("warning", late);
  $("#reconciliation").dataset.overdue = String(recon.overdueCount);
  $("#recon-status").textContent = late
    ? t("admin.reports.recon.late", { n: recon.overdueCount, oldest: dateTime(recon.oldestDeadline), pending: recon.pending })
    : t("admin.reports.recon.ok", { pending: recon.pending, time: dateTime(recon.checkedAt) });
  const skipped = Object.entries(recon.skipped || {}).map(([reason, n]) => `${reason} ${n}`).join("、");
  const counters = h("p", { class: "muted" }, t("admin.reports.recon.counters", { reconciled: recon.reconciled, skipped: skipped || "0" }));
  if (!late) {
    $("#recon-list").replaceChildren(counters);
    return;
  }
  const cols = ["payment", "purpose", "amount", "user", "order", "deadline"];
  $("#recon-list").replaceChildren(h("table", { class: "admin-table" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col", class: c === "amount" ? "num" : "" }, t(`admin.reports.recon.col.${c}`))))),
    h("tbody", {}, recon.overdue.map((p) => h("tr", { dataset: { paymentId: String(p.paymentId) } },
      h("td", {}, `#${p.paymentId} · ${p.provider}`),
      h("td", {}, t(`admin.reports.recon.purpose.${p.purpose}`)),
      h("td", { class: "num" }, money(p.amount)),
      h("td", {}, h("a", { href: `/admin/users/${p.userId}` }, `#${p.userId}`)),
      h("td", {}, p.orderId ? `#${p.orderId} · ${p.orderStatus}` : t("admin.diff.none")),
      h("td", { class: "late" }, dateTime(p.deadline)))))), counters);
}

function render() {
  if (!data) return;
  const { daily, top, pending, recon } = data;
  $("#zone").textContent = t("admin.reports.zone", { zone: daily.window.timezone, from: daily.window.fromDate, to: daily.window.toDate });
  $("#totals").replaceChildren(...TOTALS.map(([key, isMoney]) => figure(key, daily.totals[key], isMoney, "admin.reports.fig")));
  renderCharts(daily.days);
  $("#daily").replaceChildren(dailyTable(daily.days));
  for (const by of TOP_BY) $(`#top-${by}`).replaceChildren(topTable(by, top[by].rows));
  $("#pending").replaceChildren(...PENDING.map((key) => figure(key, pending[key], true, "admin.reports.money")),
    figure("withdrawalsPending", pending.withdrawalsPending, false, "admin.reports.money"),
    figure("payoutsPending", pending.payoutsPending, false, "admin.reports.money"));
  renderRecon(recon);
}

async function load() {
  const range = `from=${$("#from").value}&to=${$("#to").value}`;
  try {
    const [daily, pending, recon, ...tops] = await Promise.all([
      api(`/api/admin/reports/daily?${range}`), api("/api/admin/reports/pending"), api("/api/admin/reports/reconciliation"),
      ...TOP_BY.map((by) => api(`/api/admin/reports/top?by=${by}&${range}`))]);
    data = { daily, pending, recon, top: Object.fromEntries(TOP_BY.map((by, i) => [by, tops[i]])) };
    $("#error").textContent = "";
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

if (await adminPage()) {
  // The server's default window (the last 30 days in its zone) fills the form first.
  try {
    const first = await api("/api/admin/reports/daily");
    $("#from").value = first.window.fromDate;
    $("#to").value = first.window.toDate;
  } catch (err) {
    showError(err, $("#error"));
  }
  $("#range").addEventListener("submit", (event) => {
    event.preventDefault();
    if (!$("#from").value || !$("#to").value) {
      $("#error").textContent = t("admin.reports.needDates");
      return;
    }
    load();
  });
  onLangChange(render);
  let resize;
  window.addEventListener("resize", () => {
    clearTimeout(resize);
    resize = setTimeout(() => charts.forEach((chart, i) => fitChart(chart, [$("#gmv-chart"), $("#refunds-chart"), $("#money-chart")][i])), 150);
  });
  await load();
}
