// /admin/gifts: the gift catalogue (each row a small form: name, icon, price in yuan, on offer,
// order, and why), a new gift, the tip settings (caps in yuan, fee in basis points, the hold,
// leaderboards) and every change as before → after. Prices are money: PATCH /api/admin/gifts/{id}
// is audited with the reason given; piccolo-admin can't change them.
import { api, errorText } from "../api.js";
import { $, h, showError } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { money, toFen } from "../money.js";
import { auditTable } from "./audit-view.js";
import { adminPage } from "./nav.js";

const YUAN_FIELDS = ["maxPerTip", "maxPerSession", "maxPerDay"];
const NUMBER_FIELDS = ["platformFeeBp", "holdHours"];
let gifts = [];
let icons = [];
let settings = null;
let changes = [];

const yuan = (fen) => (fen / 100).toFixed(2);

function iconSelect(id, value) {
  return h("select", { id, name: "icon" }, icons.map((icon) => h("option", { value: icon, selected: icon === value }, icon.split("/").pop())));
}

function giftRow(gift) {
  const p = `g${gift.id}`;
  const cells = {
    name: h("input", { id: `${p}-name`, value: gift.name, maxlength: 16, "aria-label": t("admin.gifts.name") }),
    nameEn: h("input", { id: `${p}-nameEn`, value: gift.nameEn, maxlength: 32, "aria-label": t("admin.gifts.nameEn") }),
    icon: iconSelect(`${p}-icon`, gift.icon),
    price: h("input", { id: `${p}-price`, class: "narrow", inputmode: "decimal", value: yuan(gift.price), "aria-label": t("admin.gifts.price") }),
    enabled: h("input", { id: `${p}-enabled`, type: "checkbox", checked: gift.enabled, "aria-label": t("admin.gifts.enabled") }),
    sortOrder: h("input", { id: `${p}-sortOrder`, class: "narrow", inputmode: "numeric", value: String(gift.sortOrder), "aria-label": t("admin.gifts.sortOrder") }),
    reason: h("input", { id: `${p}-reason`, maxlength: 200, "aria-label": t("admin.gifts.reason") }),
  };
  cells.icon.setAttribute("aria-label", t("admin.gifts.icon"));
  const save = h("button", { type: "button", class: "small", dataset: { giftId: gift.id } }, t("admin.gifts.save"));
  save.addEventListener("click", () => saveGift(gift, cells));
  return h("tr", { dataset: { giftId: gift.id } }, h("td", {}, h("img", { src: gift.icon, alt: "" })),
    ...Object.values(cells).map((cell) => h("td", {}, cell)), h("td", {}, money(gift.price)), h("td", {}, save));
}

function read(cells) {
  const price = toFen(cells.price.value);
  const order = Number(cells.sortOrder.value);
  if (!price || !Number.isInteger(order) || order < 0) return null;
  return { name: cells.name.value.trim(), nameEn: cells.nameEn.value.trim(), icon: cells.icon.value, price, enabled: cells.enabled.checked, sortOrder: order };
}

async function saveGift(gift, cells) {
  const values = read(cells);
  const region = $("#catalogue-error");
  region.textContent = "";
  if (!values) {
    region.textContent = t("errors.validation_error", { detail: t("admin.gifts.price") });
    return;
  }
  const changed = Object.fromEntries(Object.entries(values).filter(([key, value]) => gift[key] !== value));
  if (!Object.keys(changed).length) return;
  try {
    await api(`/api/admin/gifts/${gift.id}`, { method: "PATCH", body: { ...changed, reason: cells.reason.value.trim() } });
    await load();
  } catch (err) {
    showError(err, region);
  }
}

function newGiftRow() {
  const cells = {
    name: h("input", { id: "new-name", maxlength: 16, "aria-label": t("admin.gifts.name") }),
    nameEn: h("input", { id: "new-nameEn", maxlength: 32, "aria-label": t("admin.gifts.nameEn") }),
    icon: iconSelect("new-icon", icons[0]),
    price: h("input", { id: "new-price", class: "narrow", inputmode: "decimal", "aria-label": t("admin.gifts.price") }),
    enabled: h("input", { id: "new-enabled", type: "checkbox", checked: true, "aria-label": t("admin.gifts.enabled") }),
    sortOrder: h("input", { id: "new-sortOrder", class: "narrow", inputmode: "numeric", value: "100", "aria-label": t("admin.gifts.sortOrder") }),
  };
  const add = h("button", { type: "button", class: "small primary", id: "add-gift" }, t("admin.gifts.add"));
  add.addEventListener("click", async () => {
    const values = read(cells);
    if (!values || !values.name) {
      $("#catalogue-error").textContent = t("errors.validation_error", { detail: `${t("admin.gifts.name")} / ${t("admin.gifts.price")}` });
      return;
    }
    try {
      await api("/api/admin/gifts", { method: "POST", body: values });
      await load();
    } catch (err) {
      showError(err, $("#catalogue-error"));
    }
  });
  return h("tr", { class: "new-gift" }, h("td", {}), ...Object.values(cells).map((cell) => h("td", {}, cell)), h("td", {}), h("td", {}), h("td", {}, add));
}

function renderCatalogue() {
  const cols = ["", "name", "nameEn", "icon", "price", "enabled", "sortOrder", "reason", "", ""];
  $("#catalogue").replaceChildren(h("table", { class: "admin-table gift-table" },
    h("thead", {}, h("tr", {}, cols.map((c, i) => h("th", { scope: "col" }, i === 0 || !c ? "" : t(`admin.gifts.${c}`))))),
    h("tbody", {}, ...gifts.map(giftRow), newGiftRow())));
}

function renderSettings() {
  const fields = [...YUAN_FIELDS, ...NUMBER_FIELDS].map((name) => h("div", { class: "field" },
    h("label", { for: `s-${name}` }, t(`admin.gifts.${name}`)),
    h("input", { id: `s-${name}`, name, inputmode: "decimal", value: YUAN_FIELDS.includes(name) ? yuan(settings[name]) : String(settings[name]) })));
  fields.push(h("div", { class: "field check" },
    h("input", { id: "s-leaderboardsEnabled", type: "checkbox", checked: settings.leaderboardsEnabled }),
    h("label", { for: "s-leaderboardsEnabled" }, t("admin.gifts.leaderboardsEnabled"))));
  $("#tip-fields").replaceChildren(...fields);
}

async function saveSettings(event) {
  event.preventDefault();
  $("#settings-error").textContent = "";
  $("#settings-saved").textContent = "";
  const body = {};
  for (const name of YUAN_FIELDS) {
    const fen = toFen($(`#s-${name}`).value);
    if (!fen) {
      $("#settings-error").textContent = t("errors.validation_error", { detail: t(`admin.gifts.${name}`) });
      return;
    }
    if (fen !== settings[name]) body[name] = fen;
  }
  for (const name of NUMBER_FIELDS) {
    const value = Number($(`#s-${name}`).value);
    if (value !== settings[name]) body[name] = value;
  }
  const board = $("#s-leaderboardsEnabled").checked;
  if (board !== settings.leaderboardsEnabled) body.leaderboardsEnabled = board;
  try {
    settings = await api("/api/admin/tip-settings", { method: "PUT", body });
    $("#settings-saved").textContent = t("admin.gifts.saved");
    await load();
  } catch (err) {
    $("#settings-error").textContent = errorText(err);
  }
}

function render() {
  renderCatalogue();
  renderSettings();
  $("#gift-changes").replaceChildren(auditTable(changes));
}

async function load() {
  [gifts, icons, settings, changes] = await Promise.all([
    api("/api/admin/gifts"), api("/api/admin/gifts/icons"), api("/api/admin/tip-settings"), api("/api/admin/gifts/changes"),
  ]);
  render();
}

async function start() {
  if (!(await adminPage())) return;
  $("#tip-settings").addEventListener("submit", saveSettings);
  try {
    await load();
  } catch (err) {
    showError(err, $("#catalogue-error"));
    return;
  }
  onLangChange(render);
  document.body.dataset.ready = "true";
}

start();
