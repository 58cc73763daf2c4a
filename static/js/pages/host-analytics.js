// The host's analytics: an ordered funnel over the host's behaviour events (filters by session,
// room, product, distributor, channel), and per day sales = visitors × conversion × value per
// buyer (uPlot). GET /api/host/analytics/funnel and /daily.
import uPlot from "/static/vendor/uplot/uPlot.esm.js";
import { dayChart, fitChart } from "../admin/day-chart.js";
import { api } from "../api.js";
import { $, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { money } from "../money.js";
import { requireLogin } from "../session.js";

let funnel = null;
let daily = null;
let charts = {};
const percent = (x) => `${(x * 100).toFixed(1)}%`;

function query() {
  const form = $("#funnel-form");
  const params = new URLSearchParams();
  const days = Number(form.days.value) || 7;
  const until = new Date();
  params.set("steps", form.steps.value);
  params.set("from", new Date(until.getTime() - days * 86400000).toISOString());
  params.set("to", until.toISOString());
  params.set("windowHours", form.windowHours.value || "24");
  for (const name of ["sessionId", "roomId", "productId", "distributorId", "channel"]) {
    const value = form[name].value.trim();
    if (value) params.set(name, value);
  }
  return params;
}

function renderFunnel() {
  const box = $("#funnel");
  if (!funnel) return;
  const top = Math.max(1, funnel.steps[0].viewers);
  box.replaceChildren(...funnel.steps.map((step, i) => {
    const fill = h("div", { class: "fill" });
    fill.style.setProperty("--w", `${Math.min(100, (step.viewers / top) * 100).toFixed(1)}%`);
    return h("li", { dataset: { step: step.kind } },
      h("span", {}, t(`funnel.kind.${step.kind}`)),
      h("div", { class: "bar", role: "presentation" }, fill),
      h("span", {}, h("span", { class: "n" }, String(step.viewers)), " ",
        i ? h("span", { class: "rate" }, t("funnel.rates", { previous: percent(step.ofPrevious), first: percent(step.ofFirst) })) : null));
  }));
  charts.funnel?.destroy();
  const chartBox = $("#funnel-chart");
  chartBox.replaceChildren();
  const xs = funnel.steps.map((_, i) => i);
  charts.funnel = new uPlot({
    width: Math.max(300, chartBox.clientWidth), height: 200,
    scales: { x: { time: false, range: () => [-0.5, xs.length - 0.5] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
    axes: [{ values: (u, splits) => splits.map((i) => (Number.isInteger(i) && funnel.steps[i] ? t(`funnel.kind.${funnel.steps[i].kind}`) : "")) }, {}],
    series: [{ label: t("funnel.steps"), value: (u, i) => (i == null || !funnel.steps[i] ? "" : t(`funnel.kind.${funnel.steps[i].kind}`)) },
      { label: t("funnel.viewers"), stroke: "#fe2c55", fill: "rgba(254,44,85,.35)", paths: uPlot.paths.bars({ size: [0.6, 80] }), points: { show: false } }],
    cursor: { drag: { x: false, y: false } },
  }, [xs, funnel.steps.map((s) => s.viewers)], chartBox);
}

function renderDaily() {
  if (!daily) return;
  const days = daily.days;
  const sum = (f) => days.reduce((a, d) => a + d[f], 0);
  const visitors = sum("visitors");
  const buyers = sum("buyers");
  const sales = sum("sales");
  const cards = [
    ["visitors", String(visitors)],
    ["conversion", percent(visitors ? buyers / visitors : 0)],
    ["valuePerBuyer", money(buyers ? Math.round(sales / buyers) : 0)],
    ["sales", money(sales)],
  ];
  $("#daily-figures").replaceChildren(...cards.map(([key, value]) => h("div", { dataset: { figure: key } },
    h("div", { class: "label" }, t(`funnel.fig.${key}`)), h("div", { class: "stat", id: `daily-${key}` }, value))));
  for (const chart of [charts.visitors, charts.value]) chart?.destroy();
  $("#visitors-chart").replaceChildren();
  $("#value-chart").replaceChildren();
  charts.visitors = dayChart($("#visitors-chart"), days, [
    { label: t("funnel.fig.visitors"), stroke: "#1f4fbf", get: (d) => d.visitors },
    { label: t("funnel.fig.buyers"), stroke: "#13a36b", get: (d) => d.buyers },
  ], t("funnel.day"));
  charts.value = dayChart($("#value-chart"), days, [
    { label: t("funnel.fig.valuePerBuyer"), stroke: "#fe2c55", money: true, get: (d) => Math.round(d.valuePerBuyer) },
    { label: t("funnel.fig.conversionPct"), stroke: "#8a5cf6", scale: "n", get: (d) => Math.round(d.conversion * 1000) / 10 },
  ], t("funnel.day"));
}

async function loadFunnel() {
  try {
    funnel = await api(`/api/host/analytics/funnel?${query()}`);
    $("#error").textContent = "";
    renderFunnel();
  } catch (err) {
    showError(err, $("#error"));
  }
}

// The host's rooms, broadcasts, products and distributors as choices, by name; an id given in the
// address (from the session report) is chosen, and kept as "#id" if it is not among them.
async function fillChoices(params) {
  const form = $("#funnel-form");
  let choices = { rooms: [], sessions: [], products: [], distributors: [] };
  try {
    choices = await api("/api/host/analytics/options");
  } catch (err) {
    showError(err, $("#error"));
  }
  const rooms = new Map(choices.rooms.map((r) => [r.id, r.title]));
  const when = (s) => (s.startedAt ? new Date(s.startedAt).toLocaleDateString() : t(`funnel.status.${s.status}`));
  const lists = {
    roomId: choices.rooms.map((r) => [r.id, r.title]),
    sessionId: choices.sessions.map((s) => [s.id, `${s.title || rooms.get(s.roomId) || ""} · ${when(s)}`]),
    productId: choices.products.map((p) => [p.id, p.title]),
    distributorId: choices.distributors.map((d) => [d.id, d.title]),
  };
  for (const [name, entries] of Object.entries(lists)) {
    const select = form[name];
    const wanted = params.get(name);
    if (wanted && !entries.some(([id]) => String(id) === wanted)) entries.push([wanted, `#${wanted}`]);
    select.append(...entries.map(([id, label]) => h("option", { value: String(id) }, label)));
    if (wanted) select.value = wanted;
  }
}

async function start() {
  await boot();
  if (!(await requireLogin())) return;
  await fillChoices(new URLSearchParams(location.search));
  $("#funnel-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadFunnel();
  });
  try {
    daily = await api("/api/host/analytics/daily?days=30");
  } catch (err) {
    showError(err, $("#error"));
  }
  await loadFunnel();
  renderDaily();
  onLangChange(() => {
    renderFunnel();
    renderDaily();
  });
  window.addEventListener("resize", () => {
    fitChart(charts.visitors, $("#visitors-chart"));
    fitChart(charts.value, $("#value-chart"));
  });
  document.body.dataset.ready = "true"; // for the browser tests and screenshots
}

start();
