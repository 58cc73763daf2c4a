// The host's outreach: the journeys' switches (GET/PUT /api/host/outreach-journeys, the host
// only), a one-off message to a segment with its preview counts (/api/host/outreach/campaigns),
// the campaigns sent, and the results with uPlot charts (/api/host/outreach/results): each
// journey's funnel sent → delivered → opened → clicked, and per day the orders and sales that
// followed a message. A host's staff use it too (the journeys are shown read-only to them).
import uPlot from "/static/vendor/uplot/uPlot.esm.js";
import { dayChart, fitChart } from "../admin/day-chart.js";
import { api } from "../api.js";
import { $, act, h, showError, toast } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { requireLogin } from "../session.js";
import { mountHostSettings, relabelHostSettings } from "./host-outreach-settings.js";

const JOURNEYS = ["reminder", "repurchase", "viewed_not_bought", "member_day", "tier_change"];
const STAGES = ["sent", "delivered", "opened", "clicked"];
const COLOURS = ["#fe2c55", "#1f4fbf", "#13a36b", "#8a5cf6", "#f59e0b", "#0ea5e9"];

let user = null;
let journeys = null; // { journeys: [...] } or null when not the host's to change
let coupons = [];
let choices = { segments: [], rooms: [], products: [] };
let campaigns = [];
let nextCursor = null;
let results = null;
const charts = {};

// -- journeys -------------------------------------------------------------------------------

function renderJourneys() {
  const list = $("#journeys");
  const editable = Boolean(journeys);
  $("#journeys-save").hidden = !editable;
  if (!editable) {
    list.replaceChildren();
    return;
  }
  const byName = new Map(journeys.journeys.map((j) => [j.journey, j]));
  list.replaceChildren(...JOURNEYS.map((name) => {
    const j = byName.get(name) || { journey: name, enabled: false, couponId: null };
    const id = `j-${name}`;
    const box = h("input", { type: "checkbox", id, name, checked: j.enabled, dataset: { journey: name } });
    const row = h("li", { class: "row", dataset: { journey: name } }, box,
      h("label", { for: id }, h("strong", {}, t(`reach.journey.${name}`)), " ",
        h("span", { class: "muted" }, t(`reach.journeyHow.${name}`))));
    if (name === "viewed_not_bought") {
      const select = h("select", { id: "j-coupon", "aria-label": t("reach.coupon") },
        h("option", { value: "" }, t("reach.chooseCoupon")),
        ...coupons.map((c) => h("option", { value: String(c.id), selected: c.id === j.couponId }, c.title)));
      row.append(h("label", { for: "j-coupon", class: "muted" }, t("reach.coupon")), select);
    }
    return row;
  }));
}

async function loadJourneys() {
  $("#journeys-note").textContent = "";
  try {
    journeys = await api("/api/host/outreach-journeys");
    coupons = (await api("/api/host/coupons?limit=100").catch(() => ({ items: [] }))).items || [];
  } catch (err) {
    journeys = null;
    // A host's staff read results and send messages; switching journeys is the host's own.
    $("#journeys-note").textContent = err.status === 403 ? t("reach.journeysHostOnly")
      : err.status === 404 ? t("reach.journeysMissing") : "";
    if (err.status !== 403 && err.status !== 404) showError(err, $("#journeys-error"));
  }
  renderJourneys();
}

$("#journeys-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act($("#journeys-save"), $("#journeys-error"), async () => {
    const coupon = $("#j-coupon") && $("#j-coupon").value;
    const body = {
      journeys: JOURNEYS.map((name) => ({
        journey: name,
        enabled: $(`#j-${name}`).checked,
        ...(name === "viewed_not_bought" && coupon ? { couponId: Number(coupon) } : {}),
      })),
    };
    journeys = await api("/api/host/outreach-journeys", { method: "PUT", body });
    renderJourneys();
    toast(t("reach.saved"));
  });
});

// -- the composer ---------------------------------------------------------------------------

function options(select, entries, keep) {
  select.replaceChildren(...entries.map(([value, label]) => h("option", { value: String(value) }, label)));
  if (keep && entries.some(([value]) => String(value) === keep)) select.value = keep;
}

function renderChoices() {
  const form = $("#compose");
  options(form.segmentId, choices.segments.map((s) => [s.id, t("reach.segmentOption", { name: s.title, n: s.count })]),
    form.segmentId.value);
  const links = form.linkKind.value === "product" ? choices.products : choices.rooms;
  options(form.linkId, links.map((x) => [x.id, x.title]), form.linkId.value);
  const none = !choices.segments.length;
  $("#preview").textContent = none ? t("reach.noSegments") : "";
  $("#send-button").disabled = none || !links.length;
  $("#preview-button").disabled = none;
}

function counters() {
  const form = $("#compose");
  $("#c-title-left").textContent = t("reach.left", { n: 40 - form.title.value.length });
  $("#c-body-left").textContent = t("reach.left", { n: 300 - form.body.value.length });
}

function showPreview(p) {
  const channels = Object.entries(p.channels).filter(([, n]) => n > 0)
    .map(([c, n]) => `${t(`reach.channel.${c}`)} ${n}`).join(" · ");
  const capped = p.hostDailyLeft == null ? "" : ` ${t("reach.dailyLeft", { n: p.hostDailyLeft })}`;
  $("#preview").textContent = `${t("reach.previewText", { members: p.members, reachable: p.reachable })}`
    + (channels ? ` (${channels})` : "") + capped;
  $("#preview").dataset.reachable = String(p.reachable);
  $("#preview").dataset.members = String(p.members);
}

$("#compose").linkKind.addEventListener("change", renderChoices);
$("#compose").segmentId.addEventListener("change", () => { $("#preview").textContent = ""; });
$("#compose").title.addEventListener("input", counters);
$("#compose").body.addEventListener("input", counters);

$("#preview-button").addEventListener("click", (event) => act(event.target, $("#compose-error"), async () => {
  const segmentId = Number($("#compose").segmentId.value);
  showPreview(await api("/api/host/outreach/campaigns/preview", { method: "POST", body: { segmentId } }));
}));

$("#compose").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.target;
  act($("#send-button"), $("#compose-error"), async () => {
    if (!form.title.value.trim() || !form.body.value.trim()) {
      $("#compose-error").textContent = t("reach.needText");
      (form.title.value.trim() ? form.body : form.title).focus();
      return;
    }
    const made = await api("/api/host/outreach/campaigns", {
      method: "POST",
      body: {
        segmentId: Number(form.segmentId.value),
        title: form.title.value.trim(),
        body: form.body.value.trim(),
        linkKind: form.linkKind.value,
        linkId: Number(form.linkId.value),
      },
    });
    toast(t("reach.sending", { n: made.audience }));
    form.title.value = "";
    form.body.value = "";
    counters();
    campaigns = [made, ...campaigns.filter((c) => c.id !== made.id)];
    renderCampaigns();
  });
});

// -- campaigns ------------------------------------------------------------------------------

function renderCampaigns() {
  const box = $("#campaigns");
  if (!campaigns.length) {
    box.replaceChildren(h("p", { class: "empty" }, t("reach.noCampaigns")));
    return;
  }
  const head = ["msgTitle", "segment", "status", "audience", ...STAGES.map((s) => `stage.${s}`), "orders", "sales"];
  box.replaceChildren(h("table", { class: "desk-table", id: "campaign-table" },
    h("thead", {}, h("tr", {}, head.map((k) => h("th", { scope: "col" }, t(`reach.${k}`))))),
    h("tbody", {}, campaigns.map((c) => h("tr", { dataset: { campaign: String(c.id), status: c.status } },
      h("td", {}, h("strong", {}, c.title), h("div", { class: "muted" }, dateTime(c.createdAt))),
      h("td", {}, c.segmentName),
      h("td", { class: "status" }, t(`reach.status.${c.status}`)),
      h("td", {}, `${c.reached}/${c.audience}`),
      STAGES.map((s) => h("td", { class: s }, String(c.results[s]))),
      h("td", { class: "orders" }, String(c.results.orders)),
      h("td", { class: "sales" }, money(c.results.sales)))))));
}

async function loadCampaigns(more = false) {
  const page = await api(`/api/host/outreach/campaigns${more && nextCursor ? `?before=${nextCursor}` : ""}`);
  campaigns = more ? [...campaigns, ...page.items] : page.items;
  nextCursor = page.nextCursor;
  $("#campaigns-more").hidden = !nextCursor;
  renderCampaigns();
}

$("#campaigns-more").addEventListener("click", (event) => act(event.target, $("#error"), () => loadCampaigns(true)));

// -- results --------------------------------------------------------------------------------

function renderResults() {
  if (!results) return;
  const total = results.total;
  $("#attribution-note").textContent = t("reach.attribution", { days: results.attributionDays });
  const cards = [...STAGES.map((s) => [s, String(total[s])]), ["orders", String(total.orders)], ["sales", money(total.sales)]];
  $("#totals").replaceChildren(...cards.map(([key, value]) => h("div", { dataset: { figure: key } },
    h("div", { class: "label" }, t(key === "orders" || key === "sales" ? `reach.${key}` : `reach.stage.${key}`)),
    h("div", { class: "stat", id: `total-${key}` }, value))));

  const table = $("#journey-table");
  table.tHead.replaceChildren(h("tr", {}, ["journeyCol", "messages", ...STAGES.map((s) => `stage.${s}`), "orders", "sales"]
    .map((k) => h("th", { scope: "col" }, t(`reach.${k}`)))));
  table.tBodies[0].replaceChildren(...results.journeys.map((j) => h("tr", { dataset: { journey: j.journey } },
    h("th", { scope: "row" }, t(`reach.journey.${j.journey}`)), h("td", {}, String(j.messages)),
    STAGES.map((s) => h("td", { class: s }, String(j[s]))),
    h("td", { class: "orders" }, String(j.orders)), h("td", { class: "sales" }, money(j.sales)))));

  for (const chart of Object.values(charts)) chart?.destroy();
  $("#funnel-chart").replaceChildren();
  $("#daily-chart").replaceChildren();
  // The funnel: one line per journey that sent anything, over the stages.
  const shown = results.journeys.filter((j) => j.messages > 0);
  const box = $("#funnel-chart");
  const xs = STAGES.map((_, i) => i);
  charts.funnel = new uPlot({
    width: Math.max(300, box.clientWidth), height: 220,
    title: t("reach.funnelChart"),
    scales: { x: { time: false, range: () => [-0.3, STAGES.length - 0.7] }, y: { range: (u, min, max) => [0, Math.max(1, Math.ceil((max || 0) * 1.15))] } },
    axes: [{ values: (u, splits) => splits.map((i) => (Number.isInteger(i) && STAGES[i] ? t(`reach.stage.${STAGES[i]}`) : "")) }, {}],
    series: [{ label: t("reach.stageCol"), value: (u, i) => (i == null || !STAGES[i] ? "" : t(`reach.stage.${STAGES[i]}`)) },
      ...shown.map((j, k) => ({ label: t(`reach.journey.${j.journey}`), stroke: COLOURS[k % COLOURS.length], width: 2, points: { show: true } }))],
    cursor: { drag: { x: false, y: false } },
  }, [xs, ...shown.map((j) => STAGES.map((s) => j[s]))], box);
  charts.daily = dayChart($("#daily-chart"), results.byDay, [
    { label: t("reach.stage.sent"), stroke: "#1f4fbf", get: (d) => d.sent },
    { label: t("reach.orders"), stroke: "#13a36b", get: (d) => d.orders },
    { label: t("reach.sales"), stroke: "#fe2c55", money: true, scale: "n", get: (d) => d.sales },
  ], t("reach.day"));
}

async function loadResults() {
  try {
    results = await api(`/api/host/outreach/results?days=${Number($("#r-days").value) || 30}`);
    renderResults();
  } catch (err) {
    showError(err, $("#error"));
  }
}

$("#r-days").addEventListener("change", loadResults);

// -- start ----------------------------------------------------------------------------------

async function start() {
  await boot();
  user = await requireLogin();
  if (!user) return;
  counters();
  try {
    choices = await api("/api/host/outreach/campaigns/choices");
  } catch (err) {
    showError(err, $("#error"));
  }
  renderChoices();
  await Promise.all([loadJourneys(), loadCampaigns().catch((err) => showError(err, $("#error"))), loadResults(),
    mountHostSettings(choices.products)]);
  onLangChange(() => {
    renderJourneys();
    renderChoices();
    counters();
    renderCampaigns();
    renderResults();
    relabelHostSettings();
  });
  window.addEventListener("resize", () => {
    fitChart(charts.daily, $("#daily-chart"));
    fitChart(charts.funnel, $("#funnel-chart"));
  });
  document.body.dataset.ready = "true"; // for the browser tests and screenshots
}

start();
