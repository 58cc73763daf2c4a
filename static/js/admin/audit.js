// /admin/audit: every operator action, newest first, filtered by kind of action, operator and
// target; each change shown as "field: old → new".
import { api } from "../api.js";
import { $, h, showError } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { auditTable } from "./audit-view.js";
import { adminPage } from "./nav.js";

const form = $("#filters");
// By name through `elements`: a field named "action" would hide the form's own property.
const field = (name) => form.elements.namedItem(name);
// The kinds of action ("<kind>.<verb>"); the API matches the prefix.
const KINDS = ["user.", "role_application.", "host.", "distributor.", "withdrawal.", "payout.", "refund.", "settings."];
let entries = [];
let before = null;

function fillKinds() {
  const select = field("action");
  const chosen = select.value;
  select.replaceChildren(h("option", { value: "" }, t("admin.all")),
    ...KINDS.map((kind) => h("option", { value: kind }, t(`admin.audit.kinds.${kind.slice(0, -1)}`))));
  select.value = chosen;
}

async function fillActors() {
  const admins = await api("/api/admin/users?role=admin&limit=100");
  const select = field("actorId");
  select.replaceChildren(h("option", { value: "", "data-i18n": "admin.all" }, t("admin.all")),
    ...admins.items.map((u) => h("option", { value: String(u.id) }, `${u.displayName} (@${u.username})`)));
  const wanted = new URLSearchParams(location.search).get("actorId");
  if (wanted) select.value = wanted;
}

function query(from) {
  const params = new URLSearchParams();
  for (const name of ["action", "actorId", "targetKind", "targetId"]) {
    const value = field(name).value.trim();
    if (value) params.set(name, value);
  }
  if (from) params.set("beforeId", String(from));
  return params;
}

function render() {
  $("#entries").replaceChildren(auditTable(entries));
  $("#more").hidden = !before;
}

async function load(more = false) {
  try {
    const page = await api(`/api/admin/audit?${query(more ? before : null)}`);
    entries = more ? [...entries, ...page.items] : page.items;
    before = page.nextBeforeId;
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?${query(null)}`);
  load();
});
form.addEventListener("reset", () => setTimeout(() => { history.replaceState(null, "", location.pathname); load(); }, 0));
$("#more").addEventListener("click", () => load(true));

if (await adminPage()) {
  const params = new URLSearchParams(location.search);
  fillKinds();
  for (const [name, value] of params) if (field(name) && name !== "actorId") field(name).value = value;
  onLangChange(() => { fillKinds(); render(); });
  await fillActors().catch((err) => showError(err, $("#error")));
  await load();
}
