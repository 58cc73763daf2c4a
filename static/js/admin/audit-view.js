// The audit as people read it: who did what to whom, when, why, and what changed, as
// "field: old → new" lines. Used by the audit page and by a user's history.
import { h } from "../dom.js";
import { has, t } from "../i18n.js";
import { dateTime } from "../money.js";
import { actionLabel, said } from "./words.js";

// {a: {b: 1}} -> {"a.b": 1}: settings documents nest, the diff lists their leaves.
function flatten(value, prefix = "", out = {}) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, prefix ? `${prefix}.${key}` : key, out);
  } else if (prefix) out[prefix] = value;
  return out;
}

function shown(value) {
  if (value === null || value === undefined || value === "") return t("admin.diff.none");
  if (typeof value === "boolean") return t(value ? "admin.yes" : "admin.no");
  if (Array.isArray(value)) return value.length ? value.map(shown).join(", ") : "[]";
  if (typeof value === "string" && has(`admin.status.${value}`)) return t(`admin.status.${value}`);
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value)) return dateTime(value);
  return String(value);
}

export function changes(before, after) {
  const old = flatten(before || {});
  const now = flatten(after || {});
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])];
  return keys
    .filter((key) => JSON.stringify(old[key] ?? null) !== JSON.stringify(now[key] ?? null))
    .map((key) => ({ field: key, before: old[key], after: now[key] }));
}

export function diffList(before, after) {
  const rows = changes(before, after);
  if (!rows.length) return h("span", { class: "muted" }, t("admin.diff.nothing"));
  return h("ul", { class: "audit-diff" }, rows.map((row) => h("li", {},
    h("span", { class: "field" }, said("admin.field", row.field)), ": ",
    h("del", {}, shown(row.before)), " → ", h("ins", {}, shown(row.after)))));
}

function target(entry) {
  const label = `${said("admin.target", entry.targetKind)} #${entry.targetId ?? ""}`;
  if (entry.targetKind === "user" && entry.targetId) return h("a", { href: `/admin/users/${entry.targetId}` }, label);
  return label;
}

export function auditTable(entries, { showTarget = true } = {}) {
  const cols = ["time", "actor", "action", ...(showTarget ? ["target"] : []), "change", "reason"];
  return h("table", { class: "admin-table audit-table" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, t(`admin.audit.col.${c}`))))),
    h("tbody", {}, entries.length ? entries.map((e) => h("tr", { dataset: { action: e.action } },
      h("td", {}, dateTime(e.createdAt)),
      h("td", {}, e.actorId ? h("a", { href: `/admin/users/${e.actorId}` }, e.actorName || `#${e.actorId}`) : t("admin.audit.system")),
      h("td", {}, actionLabel(e.action), h("br"), h("span", { class: "audit-action muted" }, e.action)),
      showTarget ? h("td", {}, target(e)) : null,
      h("td", {}, diffList(e.before, e.after)),
      h("td", {}, e.reason || "")))
      : h("tr", {}, h("td", { colspan: String(cols.length), class: "empty" }, t("admin.audit.none")))));
}
