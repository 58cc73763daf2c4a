// Words the console shows for the server's codes: roles, statuses, audit actions and fields.
import { h } from "../dom.js";
import { has, t } from "../i18n.js";

export function said(prefix, code) {
  const key = `${prefix}.${code}`;
  return has(key) ? t(key) : String(code);
}

export const roleLabel = (role) => said("admin.role", role);
export const actionLabel = (action) => said("admin.action", action);

export function statusBadge(status) {
  return h("span", { class: "badge", dataset: { status } }, said("admin.status", status));
}

export function rolesText(roles) {
  return roles && roles.length ? roles.map(roleLabel).join("、") : roleLabel("viewer");
}
