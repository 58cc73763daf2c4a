// /admin/partners: hosts (paid orders, GMV, refunds, rooms) and distributors (code, bound
// buyers, orders, commissions); suspend or reinstate, with a reason.
import { api } from "../api.js";
import { $, h, showError } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { money } from "../money.js";
import { setSuspended } from "./ban-actions.js";
import { adminPage } from "./nav.js";
import { statusBadge } from "./words.js";

const form = $("#filters");
const COLUMNS = {
  host: ["user", "status", "orders", "gmv", "refunded", "rooms", "actions"],
  distributor: ["user", "code", "status", "boundBuyers", "orders", "commissionPending", "commissionSettled", "actions"],
};
const MONEY = new Set(["gmv", "refunded", "commissionPending", "commissionSettled"]);
let kind = new URLSearchParams(location.search).get("kind") === "distributor" ? "distributor" : "host";
let rows = [];
let cursor = null;

function renderKinds() {
  $("#kinds").replaceChildren(...["host", "distributor"].map((name) => h("button", {
    type: "button", class: "small", "aria-pressed": String(name === kind), dataset: { kind: name },
    onclick: () => { kind = name; history.replaceState(null, "", `?kind=${name}`); load(); },
  }, t(`admin.partners.kinds.${name}`))));
  $("#kind-rules").textContent = t(`admin.partners.rules.${kind}`);
}

function cell(row, col) {
  if (col === "user") {
    return h("td", {}, h("a", { href: `/admin/users/${row.userId}` }, row.displayName), h("div", { class: "muted" }, `@${row.username}`));
  }
  if (col === "status") {
    return h("td", {}, statusBadge(row.suspended ? "suspended" : "active"), row.banned ? [" ", statusBadge("banned")] : null);
  }
  if (col === "actions") {
    const verb = row.suspended ? "reinstate" : "suspend";
    return h("td", { class: "actions" }, h("button", { type: "button", class: row.suspended ? "small" : "small danger",
      dataset: { [verb]: String(row.userId) }, "aria-label": `${t(`admin.partners.${verb}`)} ${row.username}`,
      onclick: async () => { if (await setSuspended(row.userId, row.username, kind, !row.suspended)) await load(); },
    }, t(`admin.partners.${verb}`)));
  }
  const value = row[col];
  if (MONEY.has(col)) return h("td", { class: "num" }, money(value));
  return h("td", { class: typeof value === "number" ? "num" : "" }, value ?? "");
}

function render() {
  renderKinds();
  const cols = COLUMNS[kind];
  $("#partners").replaceChildren(h("table", { class: "admin-table" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col", class: MONEY.has(c) || ["orders", "rooms", "boundBuyers"].includes(c) ? "num" : "" },
      t(`admin.partners.col.${c}`))))),
    h("tbody", {}, rows.length ? rows.map((row) => h("tr", { dataset: { userId: String(row.userId) } }, cols.map((c) => cell(row, c))))
      : h("tr", {}, h("td", { colspan: String(cols.length), class: "empty" }, t("admin.partners.none"))))));
  $("#more").hidden = !cursor;
}

async function load(more = false) {
  const params = new URLSearchParams({ kind });
  for (const name of ["q", "status"]) {
    const value = form.elements.namedItem(name).value.trim();
    if (value) params.set(name, value);
  }
  if (more && cursor) params.set("cursor", String(cursor));
  try {
    const page = await api(`/api/admin/partners?${params}`);
    rows = more ? [...rows, ...page.items] : page.items;
    cursor = page.nextCursor;
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
form.addEventListener("reset", () => setTimeout(() => load(), 0));
$("#more").addEventListener("click", () => load(true));

if (await adminPage()) {
  onLangChange(render);
  await load();
}
