// /admin/settings: a validated form of the distribution settings. Each field checks its own
// range before sending; the PUT carries only what changed; the server's 400/422 problems are
// shown next to the field they name. Below, every change as before → after with units.
import { api, errorText } from "../api.js";
import { $, h, showError } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, toFen } from "../money.js";
import { adminPage } from "./nav.js";
import { ENUMS, FIELDS, bpText, fieldOf, shown, toBp, yuanText } from "./settings-fields.js";

let saved = null; // the settings in force, as the server answered them
let changes = [];

const errorBox = (field) => $(`#err-${field}`);

function setError(field, text) {
  const box = errorBox(field);
  if (!box) return false;
  box.textContent = text;
  for (const input of document.querySelectorAll(`[data-field="${field}"]`)) {
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
  return true;
}

function clearErrors() {
  for (const field of FIELDS) setError(field, "");
  $("#form-error").textContent = "";
}

function control(field, id) {
  const common = { id, name: field, dataset: { field }, "aria-describedby": `err-${field} hint-${field}` };
  if (ENUMS[field]) {
    return h("select", common, ENUMS[field].map((v) => h("option", { value: v }, t(`admin.settings.${field}.${v || "env"}`))));
  }
  if (field === "levels") return h("select", common, [1, 2, 3].map((n) => h("option", { value: String(n) }, String(n))));
  if (field === "selfPurchaseCommission") return h("input", { ...common, type: "checkbox" });
  return h("input", { ...common, inputmode: field === "bindingExpiryDays" ? "numeric" : "decimal" });
}

function rateInputs(levels, rates) {
  return h("div", { class: "rate-inputs", id: "rates" }, Array.from({ length: levels }, (_, i) => h("span", { class: "unit-input" },
    h("label", { class: "inline", for: `rate-${i}` }, t("admin.settings.level", { n: i + 1 })),
    h("input", { id: `rate-${i}`, name: `rate-${i}`, inputmode: "decimal", dataset: { field: "levelRatesBp" },
      "aria-describedby": "err-levelRatesBp hint-levelRatesBp", value: rates[i] === undefined ? "" : bpText(rates[i]) }),
    h("span", { class: "unit" }, "%"))));
}

function row(field) {
  const id = `f-${field}`;
  let input;
  if (field === "levelRatesBp") input = rateInputs(saved.levels, saved.levelRatesBp);
  else if (field === "bindingExpiryDays") {
    input = h("span", { class: "unit-input" }, control(field, id), h("span", { class: "unit" }, t("admin.settings.daysUnit")),
      h("label", { class: "inline" }, h("input", { type: "checkbox", id: "permanent", dataset: { field } }), t("admin.settings.permanent")));
  } else if (["withdrawalMin", "rateCapBp", "withdrawalFeeBp"].includes(field)) {
    input = h("span", { class: "unit-input" }, field === "withdrawalMin" ? h("span", { class: "unit" }, "¥") : null,
      control(field, id), field === "withdrawalMin" ? null : h("span", { class: "unit" }, "%"));
  } else input = control(field, id);
  return h("div", { class: "setting", dataset: { setting: field } },
    h("label", { for: field === "levelRatesBp" ? "rate-0" : id }, t(`admin.settings.field.${field}`)),
    input,
    h("p", { class: "muted hint", id: `hint-${field}` }, t(`admin.settings.hint.${field}`)),
    h("p", { class: "field-error", id: `err-${field}`, role: "alert" }));
}

function fill() {
  $("#f-signup").value = saved.signup || "";
  $("#f-levels").value = String(saved.levels);
  $("#f-rateCapBp").value = bpText(saved.rateCapBp);
  $("#f-bindingMode").value = saved.bindingMode;
  $("#permanent").checked = saved.bindingExpiryDays === null;
  $("#f-bindingExpiryDays").value = saved.bindingExpiryDays === null ? "" : String(saved.bindingExpiryDays);
  $("#f-bindingExpiryDays").disabled = saved.bindingExpiryDays === null;
  $("#f-selfPurchaseCommission").checked = saved.selfPurchaseCommission;
  $("#f-clawbackPolicy").value = saved.clawbackPolicy;
  $("#f-withdrawalMin").value = yuanText(saved.withdrawalMin);
  $("#f-withdrawalFeeBp").value = bpText(saved.withdrawalFeeBp);
}

function renderForm() {
  if (!saved) return;
  $("#fields").replaceChildren(...FIELDS.map(row));
  fill();
  $("#f-levels").addEventListener("change", () => {
    const current = [...document.querySelectorAll("#rates input")].map((input) => toBp(input.value) ?? undefined);
    $("#rates").replaceWith(rateInputs(Number($("#f-levels").value), current));
  });
  $("#permanent").addEventListener("change", () => {
    $("#f-bindingExpiryDays").disabled = $("#permanent").checked;
    if (!$("#permanent").checked && !$("#f-bindingExpiryDays").value) $("#f-bindingExpiryDays").value = "30";
  });
}

// The form's values, each checked on its own: {values} or {errors: {field: text}}.
function read() {
  const errors = {};
  const values = {};
  const percent = (field, text, max) => {
    const bp = toBp(text);
    if (bp === null || bp > max) errors[field] = t("admin.settings.badPercent", { max: bpText(max) });
    return bp;
  };
  values.signup = $("#f-signup").value || null;
  values.levels = Number($("#f-levels").value);
  values.levelRatesBp = [...document.querySelectorAll("#rates input")].map((input) => percent("levelRatesBp", input.value, 10000));
  values.rateCapBp = percent("rateCapBp", $("#f-rateCapBp").value, 10000);
  values.bindingMode = $("#f-bindingMode").value;
  if ($("#permanent").checked) values.bindingExpiryDays = null;
  else {
    const days = Number($("#f-bindingExpiryDays").value);
    if (!/^\s*\d{1,4}\s*$/.test($("#f-bindingExpiryDays").value) || days < 1 || days > 3650) {
      errors.bindingExpiryDays = t("admin.settings.badDays");
    }
    values.bindingExpiryDays = days;
  }
  values.selfPurchaseCommission = $("#f-selfPurchaseCommission").checked;
  values.clawbackPolicy = $("#f-clawbackPolicy").value;
  const fen = toFen($("#f-withdrawalMin").value);
  if (!fen || fen > 100_000_000) errors.withdrawalMin = t("admin.settings.badMoney");
  values.withdrawalMin = fen;
  values.withdrawalFeeBp = percent("withdrawalFeeBp", $("#f-withdrawalFeeBp").value, 9999);
  return { values, errors };
}

function changed(values) {
  return Object.fromEntries(Object.entries(values).filter(([field, value]) => JSON.stringify(value) !== JSON.stringify(saved[field])));
}

// The problem's field(s) get the message inline; the rest goes above the form.
function showServerError(err) {
  const body = err.body || {};
  const named = new Set();
  for (const item of body.errors || []) {
    const field = fieldOf(item.field);
    if (field && setError(field, item.message || errorText(err))) named.add(field);
  }
  const field = fieldOf(body.field) || (err.code === "commission_rates_too_high" ? "levelRatesBp" : null);
  if (field && !named.has(field)) setError(field, errorText(err));
  if (!field && !named.size) showError(err, $("#form-error"));
  const first = document.querySelector("[aria-invalid=true]");
  if (first) first.focus();
}

function renderChanges() {
  const cols = ["time", "actor", "change"];
  $("#changes").replaceChildren(h("table", { class: "admin-table settings-changes" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, t(`admin.settings.col.${c}`))))),
    h("tbody", {}, changes.length ? changes.map((entry) => h("tr", { dataset: { changeId: String(entry.id) } },
      h("td", {}, dateTime(entry.createdAt)),
      h("td", {}, entry.actorName || `#${entry.actorId}`),
      h("td", {}, h("ul", { class: "audit-diff" }, FIELDS.filter((f) => f in (entry.after || {}) || f in (entry.before || {}))
        .map((f) => h("li", { dataset: { field: f } }, h("span", { class: "field" }, t(`admin.settings.field.${f}`)), ": ",
          h("del", {}, shown(f, (entry.before || {})[f])), " → ", h("ins", {}, shown(f, (entry.after || {})[f]))))))))
      : h("tr", {}, h("td", { colspan: String(cols.length), class: "empty" }, t("admin.settings.noChanges"))))));
}

async function load() {
  try {
    [saved, changes] = await Promise.all([api("/api/admin/settings"), api("/api/admin/settings/changes")]);
    renderForm();
    renderChanges();
  } catch (err) {
    showError(err, $("#form-error"));
  }
}

$("#settings-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors();
  $("#saved").textContent = "";
  const { values, errors } = read();
  if (Object.keys(errors).length) {
    for (const [field, text] of Object.entries(errors)) setError(field, text);
    document.querySelector("[aria-invalid=true]")?.focus();
    return;
  }
  const body = changed(values);
  if (!Object.keys(body).length) {
    $("#saved").textContent = t("admin.settings.nothing");
    return;
  }
  const button = event.submitter;
  if (button) button.disabled = true;
  try {
    saved = await api("/api/admin/settings", { method: "PUT", body });
    changes = await api("/api/admin/settings/changes");
    renderForm();
    renderChanges();
    $("#saved").textContent = t("admin.settings.saved", { n: Object.keys(body).length });
  } catch (err) {
    showServerError(err);
  } finally {
    if (button) button.disabled = false;
  }
});

$("#reset").addEventListener("click", () => {
  clearErrors();
  renderForm();
});

if (await adminPage()) {
  onLangChange(() => {
    renderForm();
    renderChanges();
  });
  await load();
}
