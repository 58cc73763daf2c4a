// A host's member tiers (the ladder and the window growth is counted over) and each tier's
// benefits: a monthly no-threshold voucher, a member-day red packet, member prices on chosen
// SKUs. The host edits; its staff read (every input disabled).
import { api } from "../api.js";
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { toFen } from "../money.js";
import { requireLogin } from "../session.js";

const MAX_TIERS = 8;
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
let ladder = null;
let benefits = [];
let canEdit = false;

const yuan = (fen) => (fen / 100).toFixed(2).replace(/\.00$/, "");

function tierRow(tier = { code: "", name: "", threshold: 0 }) {
  const remove = h("button", { type: "button", class: "small danger", onclick: (event) => {
    event.target.closest("tr").remove();
    renderBenefits();
  } }, t("tier.remove"));
  return h("tr", {},
    h("td", {}, h("input", { name: "code", value: tier.code, maxlength: "16", pattern: "[a-z0-9_]+", required: true, "aria-label": t("tier.col.code") })),
    h("td", {}, h("input", { name: "name", value: tier.name, maxlength: "16", required: true, "aria-label": t("tier.col.name") })),
    h("td", { class: "num" }, h("input", { name: "threshold", value: yuan(tier.threshold), inputmode: "decimal", "aria-label": t("tier.col.threshold") })),
    h("td", {}, remove));
}

function tiersInForm() {
  return [...$("#tiers").querySelectorAll("tr")].map((row) => ({
    code: row.querySelector("[name=code]").value.trim(),
    name: row.querySelector("[name=name]").value.trim(),
    threshold: toFen(row.querySelector("[name=threshold]").value),
  }));
}

function renderLadder() {
  if (!ladder) return;
  for (const radio of document.querySelectorAll("input[name=window]")) radio.checked = radio.value === ladder.window;
  $("#days").value = ladder.days ?? "";
  $("#tiers").replaceChildren(...(ladder.tiers.length ? ladder.tiers : defaultTiers()).map((tier) => tierRow(tier)));
}

function defaultTiers() {
  return [["normal", "tier.sample.normal", 0], ["silver", "tier.sample.silver", 100_00],
    ["gold", "tier.sample.gold", 500_00], ["black", "tier.sample.black", 2000_00]]
    .map(([code, key, threshold]) => ({ code, name: t(key), threshold }));
}

function ruleParts(rule) {
  const monthly = /BYMONTHDAY=(\d+)/.exec(rule || "");
  if (monthly) return { every: "month", value: monthly[1] };
  const weekly = /BYDAY=([A-Z]{2})/.exec(rule || "");
  return weekly ? { every: "week", value: weekly[1] } : { every: "month", value: "" };
}

function benefitFieldset(tier) {
  const mine = (kind) => benefits.find((b) => b.tierCode === tier.code && b.kind === kind && b.enabled);
  const voucher = mine("voucher");
  const packet = mine("red_packet");
  const prices = mine("member_price");
  const parts = ruleParts(packet && packet.rule);
  const id = (name) => `b-${tier.code}-${name}`;
  const dayInput = h("input", { id: id("day"), name: "day", value: parts.every === "month" ? parts.value : "", inputmode: "numeric", maxlength: "2", hidden: parts.every !== "month", "aria-label": t("tier.monthDay") });
  const weekSelect = h("select", { id: id("weekday"), name: "weekday", hidden: parts.every !== "week", "aria-label": t("tier.weekDay") },
    WEEKDAYS.map((d) => h("option", { value: d, selected: parts.every === "week" && parts.value === d }, t(`tier.weekday.${d}`))));
  const every = h("select", { id: id("every"), name: "every", onchange: (event) => {
    dayInput.hidden = event.target.value !== "month";
    weekSelect.hidden = event.target.value !== "week";
  } }, h("option", { value: "month", selected: parts.every === "month" }, t("tier.everyMonth")),
  h("option", { value: "week", selected: parts.every === "week" }, t("tier.everyWeek")));
  return h("fieldset", { class: "card", dataset: { tier: tier.code } },
    h("legend", {}, `${tier.name || tier.code}`),
    h("label", { for: id("coupon") }, t("tier.voucherCoupon")),
    h("input", { id: id("coupon"), name: "couponId", value: voucher ? String(voucher.couponId) : "", inputmode: "numeric", "aria-describedby": id("coupon-hint") }),
    h("p", { class: "muted", id: id("coupon-hint") }, t("tier.voucherHint")),
    h("label", { for: id("amount") }, t("tier.packetAmount")),
    h("input", { id: id("amount"), name: "amount", value: packet ? yuan(packet.amount) : "", inputmode: "decimal" }),
    h("label", { for: id("every") }, t("tier.memberDay")),
    h("div", { class: "row" }, every, dayInput, weekSelect),
    h("label", { for: id("prices") }, t("tier.memberPrices")),
    h("textarea", { id: id("prices"), name: "prices", rows: "3", "aria-describedby": id("prices-hint") },
      prices ? prices.prices.map((p) => `${p.skuId} ${yuan(p.price)}`).join("\n") : ""),
    h("p", { class: "muted", id: id("prices-hint") }, t("tier.pricesHint")));
}

function renderBenefits() {
  const tiers = ladder && ladder.tiers.length ? ladder.tiers : [];
  $("#benefits").replaceChildren(...(tiers.length ? tiers.map(benefitFieldset) : [h("p", { class: "muted" }, t("tier.saveLadderFirst"))]));
  for (const input of document.querySelectorAll("#editor input, #editor select, #editor textarea, #editor button")) input.disabled = !canEdit;
}

function benefitsInForm() {
  const out = [];
  for (const set of document.querySelectorAll("#benefits fieldset")) {
    const tierCode = set.dataset.tier;
    const value = (name) => set.querySelector(`[name=${name}]`).value.trim();
    if (value("couponId")) out.push({ tierCode, kind: "voucher", couponId: Number(value("couponId")) });
    if (value("amount")) {
      const every = value("every");
      const rule = every === "week" ? `FREQ=WEEKLY;BYDAY=${value("weekday")}` : `FREQ=MONTHLY;BYMONTHDAY=${value("day")}`;
      out.push({ tierCode, kind: "red_packet", amount: toFen(value("amount")), rule });
    }
    const lines = value("prices").split("\n").map((line) => line.trim()).filter(Boolean);
    if (lines.length) {
      out.push({ tierCode, kind: "member_price", prices: lines.map((line) => {
        const [sku, price] = line.split(/[\s,=，]+/);
        return { skuId: Number(sku), price: toFen(price) };
      }) });
    }
  }
  return out;
}

async function load() {
  try {
    [ladder, benefits] = await Promise.all([api("/api/host/tiers"), api("/api/host/benefits").then((b) => b.benefits)]);
    renderLadder();
    renderBenefits();
    $("#editor").hidden = false;
  } catch (err) {
    showError(err, $("#error"));
  }
}

$("#add-tier").addEventListener("click", () => {
  if ($("#tiers").children.length >= MAX_TIERS) {
    $("#ladder-error").textContent = t("tier.max", { max: MAX_TIERS });
    return;
  }
  $("#tiers").append(tierRow());
});

$("#ladder-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("#ladder-ok").textContent = "";
  act(event.submitter, $("#ladder-error"), async () => {
    const picked = document.querySelector("input[name=window]:checked");
    const window = picked ? picked.value : "all";
    const tiers = tiersInForm();
    if (tiers.some((tier) => tier.threshold === null)) throw { code: "validation_error", detail: t("tier.col.threshold") };
    const body = { window, tiers };
    if (window === "days") body.days = Number($("#days").value);
    ladder = await api("/api/host/tiers", { method: "PUT", body });
    renderLadder();
    renderBenefits();
    $("#ladder-ok").textContent = t("tier.saved");
  });
});

$("#benefits-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("#benefits-ok").textContent = "";
  act(event.submitter, $("#benefits-error"), async () => {
    benefits = (await api("/api/host/benefits", { method: "PUT", body: { benefits: benefitsInForm() } })).benefits;
    renderBenefits();
    $("#benefits-ok").textContent = t("tier.saved");
  });
});

await boot();
const user = await requireLogin();
if (user) {
  const roles = user.roles || [];
  canEdit = roles.includes("host") || roles.includes("admin");
  const desk = canEdit || roles.includes("staff");
  $("#not-host").hidden = desk;
  $("#read-only").hidden = canEdit || !desk;
  if (desk) {
    onLangChange(() => { renderLadder(); renderBenefits(); });
    load();
  }
}
