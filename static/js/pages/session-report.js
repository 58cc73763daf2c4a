// The session report a host lands on after ending a broadcast (and opens from the console's list
// of sessions): figures, the conversion funnel, online and sales over time (uPlot), top products
// and orders per distributor. GET /api/sessions/{id}/report; a live session's is as of now.
import { api } from "../api.js";
import { fit, timeChart } from "../console/chart.js";
import { renderTips } from "../console/tips.js";
import { $, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money, percentBp } from "../money.js";
import { requireLogin } from "../session.js";

const sessionId = Number(location.pathname.split("/").filter(Boolean)[2]);
let report = null;
let decomposition = null; // sales = visitors × conversion × value per buyer (analytics)
let tips = null; // the session's gifts and tips (marketing)
let charts = [];

function duration(seconds) {
  const m = Math.floor(seconds / 60);
  return t("report.hm", { h: Math.floor(m / 60), m: m % 60 });
}

function figures() {
  const s = report.session;
  const cards = [
    ["peak", s.peakOnline],
    ["uniqueViewers", s.uniqueViewers],
    ["views", s.views],
    ["likes", s.likes],
    ["comments", s.comments],
    ["productClicks", s.productClicks],
    ["orders", s.orders],
    ["gmv", money(s.gmv)],
    ["conversion", percentBp(report.conversionBp)],
    ["aov", money(report.averageOrderValue)],
    ["duration", duration(report.durationSeconds)],
    ["reminders", s.reminders ?? 0],
  ];
  $("#figures").replaceChildren(...cards.map(([key, value]) => h("div", { dataset: { figure: key } },
    h("div", { class: "label" }, t(["aov", "duration", "reminders"].includes(key) ? `report.${key}` : `stats.${key}`)),
    h("div", { class: "stat", id: `figure-${key}` }, String(value)))));
}

function funnel() {
  const f = report.funnel;
  const steps = [["viewers", f.viewers], ["productVisitors", f.productVisitors], ["buyers", f.buyers], ["payers", f.payers]];
  const top = Math.max(1, steps[0][1]);
  $("#funnel").replaceChildren(...steps.map(([key, n], i) => {
    const fill = h("div", { class: "fill" });
    fill.style.setProperty("--w", `${Math.min(100, (n / top) * 100).toFixed(1)}%`); // CSSOM, not an inline style
    const before = i ? steps[i - 1][1] : null;
    return h("li", { dataset: { step: key } },
      h("span", {}, t(`report.step.${key}`)),
      h("div", { class: "bar", role: "presentation" }, fill),
      h("span", {}, h("span", { class: "n", id: `funnel-${key}` }, String(n)), " ",
        before !== null ? h("span", { class: "rate" }, t("report.rate", { rate: percentBp(before ? Math.round((n / before) * 10000) : 0) })) : null));
  }));
  $("#funnel-actions").textContent = t("report.actions", { clicks: f.productClicks, placed: f.ordersPlaced, paid: f.ordersPaid });
}

function drawCharts() {
  for (const chart of charts) chart.destroy();
  charts = [];
  const s = report.series;
  for (const box of [$("#online-chart"), $("#sales-chart")]) box.replaceChildren();
  if (!s.t.length) {
    for (const box of [$("#online-chart"), $("#sales-chart")]) box.append(h("p", { class: "empty" }, t("report.noSamples")));
    return;
  }
  charts.push(timeChart($("#online-chart"), [
    { label: t("report.online"), stroke: "#fe2c55", fill: "rgba(254,44,85,.08)" },
  ], [s.t, s.online], { height: 240 }));
  charts.push(timeChart($("#sales-chart"), [
    { label: t("report.gmv"), stroke: "#13a36b", value: (u, v) => (v == null ? "" : (v / 100).toFixed(2)) },
    { label: t("report.orders"), stroke: "#1f4fbf", scale: "orders" },
  ], [s.t, s.gmv, s.orders], {
    height: 240,
    scales: { y: { range: (u, min, max) => [0, Math.max(10_000, Math.ceil((max || 0) * 1.15))] } },
    y: { values: (u, splits) => splits.map((v) => (v / 100).toLocaleString()) }, // yuan: the wire says fen
    axes: [{ scale: "orders", side: 1, grid: { show: false } }],
  }));
}

function tables() {
  const products = report.topProducts;
  $("#top-products tbody").replaceChildren(...(products.length ? products.map((p) => h("tr", { dataset: { productId: p.productId } },
    h("td", { class: "product" }, p.image ? h("img", { src: p.image, alt: "" }) : h("span", { class: "thumb", "aria-hidden": "true" }), p.title),
    h("td", { class: "num" }, String(p.views)), h("td", { class: "num" }, String(p.orders)),
    h("td", { class: "num" }, String(p.quantity)), h("td", { class: "num" }, money(p.paidAmount))))
    : [h("tr", {}, h("td", { colspan: "5", class: "empty" }, t("report.empty")))]));
  const rows = report.byDistributor.map((d) => h("tr", { dataset: { distributorId: d.distributorId } },
    h("td", {}, d.name), h("td", { class: "num" }, String(d.orders)), h("td", { class: "num" }, money(d.gmv)),
    h("td", { class: "num" }, money(d.commission))));
  if (report.directOrders || rows.length) {
    rows.push(h("tr", { class: "direct" }, h("td", {}, t("report.direct")), h("td", { class: "num" }, String(report.directOrders)),
      h("td", { class: "num" }, money(report.directGmv)), h("td", { class: "num" }, "—")));
  }
  $("#by-distributor tbody").replaceChildren(...(rows.length ? rows : [h("tr", {}, h("td", { colspan: "4", class: "empty" }, t("report.empty")))]));
}

function decomposed() {
  const d = decomposition;
  $("#decomposition").hidden = !d;
  if (!d) return;
  const pct = (x) => `${(x * 100).toFixed(1)}%`;
  const change = (x) => (x == null ? "" : t("funnel.change", { sign: x >= 0 ? "+" : "", pct: (x * 100).toFixed(1) }));
  const cards = [
    ["visitors", String(d.current.visitors), d.changes.visitors],
    ["conversion", pct(d.current.conversion), d.changes.conversion],
    ["valuePerBuyer", money(Math.round(d.current.valuePerBuyer)), d.changes.valuePerBuyer],
    ["sales", money(d.current.sales), d.changes.sales],
  ];
  $("#decomp-figures").replaceChildren(...cards.map(([key, value, delta]) => h("div", { dataset: { figure: key } },
    h("div", { class: "label" }, t(`funnel.fig.${key}`)),
    h("div", { class: "stat", id: `decomp-${key}` }, value),
    delta == null ? null : h("div", { class: delta >= 0 ? "rate up" : "rate down" }, change(delta)))));
  const prev = d.previousSession;
  $("#decomp-previous").textContent = prev ? t("funnel.vsPrevious", { title: prev.title, when: prev.startedAt ? dateTime(prev.startedAt) : "" }) : t("funnel.noPrevious");
  $("#decomp-funnel").href = `/host/analytics?sessionId=${sessionId}`;
}

function render() {
  const s = report.session;
  document.title = `${s.title} · ${t("report.title")}`;
  $("#report-title").textContent = `${t("report.title")} · ${s.title}`;
  $("#to-console").href = `/host/rooms/${report.roomId}`;
  const end = s.endedAt ? dateTime(s.endedAt) : "…";
  $("#report-when").textContent = `${report.roomTitle} · ${s.startedAt ? dateTime(s.startedAt) : ""} – ${end}`;
  $("#report-live").hidden = s.status !== "live";
  const cover = $("#report-cover");
  cover.hidden = !s.coverUrl;
  if (s.coverUrl) cover.src = s.coverUrl;
  figures();
  funnel();
  decomposed();
  drawCharts();
  tables();
  renderTips($("#tips"), tips);
}

async function start() {
  await boot();
  if (!(await requireLogin())) return;
  try {
    report = await api(`/api/sessions/${sessionId}/report`);
  } catch (err) {
    showError(err, $("#report-error"));
    return;
  }
  // The decomposition is the host's (staff may read the report without it): its absence hides it.
  decomposition = await api(`/api/host/analytics/sessions/${sessionId}/decomposition`).catch(() => null);
  tips = await api(`/api/sessions/${sessionId}/tips`).catch(() => null);
  render();
  onLangChange(render);
  window.addEventListener("resize", () => {
    fit(charts[0], $("#online-chart"), 240);
    fit(charts[1], $("#sales-chart"), 240);
  });
  document.body.dataset.ready = "true"; // for the browser tests and screenshots
}

start();
