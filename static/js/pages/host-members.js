// The host's people (/host/members) for a host and its staff: search, a tag, a saved segment;
// saved segments with live counts, CSV export and a form whose count updates as filters change.
import { api } from "../api.js";
import { chip, tagLabel } from "../crm-tags.js";
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { lang, onLangChange, t } from "../i18n.js";
import { dateTime, money, toFen } from "../money.js";
import { requireLogin } from "../session.js";

const LIMIT = 20;
let offset = 0;
let page = null;
let catalogue = { manual: [], rules: [] };
let segments = [];
let editing = null; // the segment id the form replaces, or null for a new one

function tagOptions() {
  const rules = catalogue.rules.map((r) => ({ value: r.code, label: `${tagLabel({ kind: "rule", code: r.code, evidence: {} })} (${r.members})` }));
  const manual = catalogue.manual.map((m) => ({ value: `manual:${m.id}`, label: `${m.name} (${m.members})` }));
  const families = ["viewed:*", "affinity:*", "repurchase:*"].map((code) => ({ value: code, label: t(`crm.tag.family.${code.split(":")[0]}`) }));
  return [...rules.filter((r) => r.value.startsWith("rfm:")), ...families, ...manual];
}

function renderFilters() {
  const keep = { tag: $("#tag").value, segment: $("#segment").value };
  $("#tag").replaceChildren(h("option", { value: "" }, t("crm.members.anyTag")), ...tagOptions().map((o) => h("option", { value: o.value }, o.label)));
  $("#segment").replaceChildren(h("option", { value: "" }, t("crm.members.everyone")), ...segments.map((s) => h("option", { value: String(s.id) }, `${s.name} (${s.count})`)));
  $("#tag").value = keep.tag;
  $("#segment").value = keep.segment;
  for (const id of ["#f-tags-any", "#f-tags-none"]) {
    const chosen = new Set([...$(id).selectedOptions].map((o) => o.value));
    $(id).replaceChildren(...tagOptions().map((o) => h("option", { value: o.value, selected: chosen.has(o.value) }, o.label)));
  }
}

function renderMembers() {
  $("#total").textContent = t("crm.members.total", { n: page.total });
  $("#members").replaceChildren(page.items.length ? h("table", { class: "crm-table" },
    h("thead", {}, h("tr", {}, ["name", "tier", "spend", "orders", "lastPaid", "follow", "tags"].map((k) => h("th", { class: ["spend", "orders"].includes(k) ? "num" : "" }, t(`crm.col.${k}`))))),
    h("tbody", {}, page.items.map((m) => h("tr", { dataset: { userId: m.userId } },
      h("td", {}, h("a", { href: `/host/members/${m.userId}` }, m.displayName), h("div", { class: "muted" }, `@${m.username}`)),
      h("td", {}, m.tierName || m.tierCode || "—"),
      h("td", { class: "num" }, money(m.lifetimeSpend)),
      h("td", { class: "num" }, String(m.paidOrders)),
      h("td", {}, m.lastPaidAt ? dateTime(m.lastPaidAt) : "—"),
      h("td", {}, h("span", { class: "badge", dataset: { follow: m.followUp } }, t(`crm.follow.${m.followUp}`))),
      h("td", {}, h("ul", { class: "chips" }, m.tags.map((tag) => chip(tag)))))))) : h("p", { class: "empty" }, t("crm.members.none")));
  $("#prev").disabled = offset === 0;
  $("#next").disabled = offset + LIMIT >= page.total;
}

function renderSegments() {
  $("#segments").replaceChildren(segments.length ? h("ul", { class: "crm-list" }, segments.map((s) => h("li", { dataset: { segmentId: s.id } },
    h("b", {}, s.name), " ", h("span", { class: "badge" }, t("crm.segments.count", { n: s.count })), " ",
    h("button", { type: "button", class: "small", onclick: () => { $("#segment").value = String(s.id); offset = 0; load(); } }, t("crm.segments.show")), " ",
    h("a", { class: "button small", href: `/api/host/segments/${s.id}/export?lang=${lang()}`, download: "" }, t("crm.segments.export")), " ",
    h("button", { type: "button", class: "small", onclick: () => edit(s) }, t("crm.segments.edit")), " ",
    h("button", { type: "button", class: "small danger", "aria-label": t("crm.segments.deleteNamed", { name: s.name }),
      onclick: (event) => act(event.target, $("#segment-error"), async () => {
        await api(`/api/host/segments/${s.id}`, { method: "DELETE" });
        await refreshSide();
      }) }, t("crm.segments.delete"))))) : h("p", { class: "muted" }, t("crm.segments.none")));
}

function formFilters() {
  const filters = {};
  for (const el of document.querySelectorAll("#segment-form [data-f]")) {
    const key = el.dataset.f;
    if (el.multiple) {
      const values = [...el.selectedOptions].map((o) => o.value);
      if (values.length) filters[key] = values;
    } else if ("list" in el.dataset) {
      const parts = el.value.split(/[,，\s]+/).map((v) => v.trim()).filter(Boolean);
      if (parts.length) filters[key] = "int" in el.dataset ? parts.map(Number) : parts;
    } else if (el.value.trim() !== "") {
      filters[key] = "yuan" in el.dataset ? toFen(el.value) : Number(el.value);
    }
  }
  return filters;
}

function edit(segment) {
  editing = segment.id;
  $("#seg-name").value = segment.name;
  for (const el of document.querySelectorAll("#segment-form [data-f]")) {
    const value = segment.filters[el.dataset.f];
    if (el.multiple) for (const o of el.options) o.selected = Array.isArray(value) && value.includes(o.value);
    else if (Array.isArray(value)) el.value = value.join(",");
    else if (value === null || value === undefined) el.value = "";
    else el.value = "yuan" in el.dataset ? String(value / 100) : String(value);
  }
  liveCount();
  $("#seg-name").focus();
}

let counting = 0;
async function liveCount() {
  const mine = ++counting;
  try {
    const out = await api("/api/host/segments/preview", { method: "POST", body: { filters: formFilters() } });
    if (mine === counting) $("#live-count").textContent = t("crm.segments.live", { n: out.count });
  } catch (err) {
    if (mine === counting) $("#live-count").textContent = showError(err, $("#segment-error"));
  }
}

async function load() {
  const params = new URLSearchParams({ offset: String(offset), limit: String(LIMIT) });
  if ($("#q").value.trim()) params.set("q", $("#q").value.trim());
  if ($("#tag").value) params.set("tag", $("#tag").value);
  if ($("#segment").value) params.set("segmentId", $("#segment").value);
  try {
    page = await api(`/api/host/members?${params}`);
    renderMembers();
  } catch (err) {
    showError(err, $("#error"));
  }
}

async function refreshSide() {
  [catalogue, segments] = await Promise.all([api("/api/host/tags"), api("/api/host/segments")]);
  renderFilters();
  renderSegments();
}

$("#filters").addEventListener("submit", (event) => { event.preventDefault(); offset = 0; load(); });
$("#prev").addEventListener("click", () => { offset = Math.max(0, offset - LIMIT); load(); });
$("#next").addEventListener("click", () => { offset += LIMIT; load(); });
$("#recompute").addEventListener("click", (event) => act(event.target, $("#error"), async () => {
  await api("/api/host/tags/recompute", { method: "POST" });
  await refreshSide();
  await load();
}));
$("#segment-form").addEventListener("input", liveCount);
$("#segment-form").addEventListener("change", liveCount);
$("#seg-reset").addEventListener("click", () => { editing = null; $("#segment-form").reset(); liveCount(); });
$("#segment-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act(event.submitter, $("#segment-error"), async () => {
    const body = { name: $("#seg-name").value.trim(), filters: formFilters() };
    await api(editing ? `/api/host/segments/${editing}` : "/api/host/segments", { method: editing ? "PUT" : "POST", body });
    editing = null;
    $("#segment-form").reset();
    await refreshSide();
    liveCount();
  });
});

await boot();
const user = await requireLogin();
if (user) {
  $("#staff-link").hidden = !(user.roles.includes("host") || user.roles.includes("admin"));
  onLangChange(() => { renderFilters(); if (page) renderMembers(); renderSegments(); liveCount(); });
  try {
    await refreshSide();
  } catch (err) {
    showError(err, $("#error"));
  }
  await load();
  liveCount();
}
