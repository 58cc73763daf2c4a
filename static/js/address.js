// The buyer's address book (GET|POST /api/me/addresses, PATCH|DELETE /api/me/addresses/{id},
// POST …/{id}/default) and the one address form the buy sheet and the addresses page share:
// labelled fields, the phone checked as the API checks it, errors beside their field.
import { api } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

// The API's rule (accounts/schemas.py Phone): a mainland mobile, or + and 7 to 15 digits.
export const PHONE = /^(?:1[3-9][0-9]{9}|\+[1-9][0-9]{6,14})$/;
const LIMITS = { name: 64, province: 32, city: 32, district: 32, detail: 200 };

export const addressBook = {
  list: () => api("/api/me/addresses"),
  add: (data) => api("/api/me/addresses", { method: "POST", body: data }),
  change: (id, data) => api(`/api/me/addresses/${id}`, { method: "PATCH", body: data }),
  makeDefault: (id) => api(`/api/me/addresses/${id}/default`, { method: "POST", body: {} }),
  remove: (id) => api(`/api/me/addresses/${id}`, { method: "DELETE" }),
};

// "138 0013-8000" -> "13800138000"; "+852 9123 4567" -> "+85291234567".
export function cleanPhone(text) {
  return String(text || "").replace(/[\s\-()]/g, "");
}

// 广东省 深圳市 南山区 科技园路 1 号 (an order's copy may carry only `line`).
export function addressLine(a) {
  if (!a) return "";
  const parts = [a.province, a.city, a.district, a.detail].filter((p) => p && p.trim());
  return parts.length ? parts.join(" ") : a.line || "";
}

// 138****8000: enough to recognise an entry in a list without showing the whole number.
export function maskedPhone(phone) {
  const p = String(phone || "");
  return /^1\d{10}$/.test(p) ? `${p.slice(0, 3)}****${p.slice(7)}` : p;
}

export function addressSummary(a, { mask = false } = {}) {
  return h("div", { class: "address-summary" },
    h("div", {}, h("strong", {}, a.name), " ", h("span", { class: "muted" }, mask ? maskedPhone(a.phone) : a.phone),
      a.isDefault ? h("span", { class: "badge default-badge" }, t("addr.default")) : null),
    h("div", { class: "address-line" }, addressLine(a)));
}

// A form for one address: `value` fills it (editing); `read()` answers { data } or { errors }
// with the errors shown beside their fields and the first invalid field focused.
export function addressForm({ prefix = "addr", value = {}, showDefault = true, defaultChecked = false } = {}) {
  const fields = {};
  const notes = {};
  const row = (name, key, attrs = {}) => {
    const id = `${prefix}-${name}`;
    const note = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
    const input = h("input", { id, name, autocomplete: attrs.autocomplete || "off", maxlength: String(LIMITS[name] || 20),
      value: value[name] || "", ...attrs, "aria-describedby": `${id}-error` });
    fields[name] = input;
    notes[name] = note;
    return h("div", { class: `field field-${name}` }, h("label", { for: id }, t(key)), input, note);
  };
  const isDefault = h("input", { type: "checkbox", id: `${prefix}-default`, name: "isDefault", checked: Boolean(value.isDefault || defaultChecked) });
  const element = h("div", { class: "address-form" },
    h("div", { class: "address-grid" },
      row("name", "addr.name", { autocomplete: "name" }),
      row("phone", "addr.phone", { type: "tel", inputmode: "tel", autocomplete: "tel", placeholder: "13800138000" })),
    h("div", { class: "address-grid three" },
      row("province", "addr.province", { autocomplete: "address-level1" }),
      row("city", "addr.city", { autocomplete: "address-level2" }),
      row("district", "addr.district", { autocomplete: "address-level3" })),
    row("detail", "addr.detail", { autocomplete: "street-address" }),
    showDefault ? h("label", { class: "inline check" }, isDefault, t("addr.makeDefault")) : null);

  const show = (name, text) => {
    notes[name].textContent = text || "";
    notes[name].hidden = !text;
    if (text) fields[name].setAttribute("aria-invalid", "true");
    else fields[name].removeAttribute("aria-invalid");
  };

  function read() {
    const data = {
      name: fields.name.value.trim(),
      phone: cleanPhone(fields.phone.value),
      province: fields.province.value.trim(),
      city: fields.city.value.trim(),
      district: fields.district.value.trim(),
      detail: fields.detail.value.trim(),
    };
    const errors = {};
    for (const name of ["name", "province", "city", "detail"]) if (!data[name]) errors[name] = t("addr.required");
    if (!data.phone) errors.phone = t("addr.required");
    else if (!PHONE.test(data.phone)) errors.phone = t("addr.badPhone");
    for (const name of Object.keys(fields)) show(name, errors[name]);
    const invalid = Object.keys(fields).find((name) => errors[name]);
    if (invalid) {
      fields[invalid].focus();
      return { errors };
    }
    if (showDefault) data.isDefault = isDefault.checked;
    return { data };
  }

  // The API named a field (400 validation_error): show it there.
  function showServerError(err) {
    const field = String((err && err.body && err.body.field) || (err && err.detail) || "");
    const name = Object.keys(fields).find((n) => field.includes(n));
    if (!name) return false;
    show(name, name === "phone" ? t("addr.badPhone") : t("addr.invalid"));
    fields[name].focus();
    return true;
  }

  return { element, read, showServerError, focus: () => fields.name.focus() };
}
