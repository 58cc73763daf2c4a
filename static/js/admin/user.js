// /admin/users/{id}: one person in full: roles, standing as host and distributor, applications,
// and the history of bans and suspensions; ban, unban, suspend, reinstate.
import { api } from "../api.js";
import { $, h, showError } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime } from "../money.js";
import { auditTable } from "./audit-view.js";
import { banUser, setSuspended, unbanUser } from "./ban-actions.js";
import { adminPage } from "./nav.js";
import { roleLabel, rolesText, statusBadge } from "./words.js";

const userId = Number(location.pathname.split("/").filter(Boolean).pop());
let detail = null;

function fact(key, ...value) {
  return [h("dt", {}, t(`admin.user.${key}`)), h("dd", {}, ...value)];
}

function buttons(user) {
  if (user.roles.includes("admin")) return [];
  const banned = user.status === "banned";
  const found = [h("button", { type: "button", class: banned ? "" : "danger", dataset: { [banned ? "unban" : "ban"]: "" },
    onclick: async () => { if (await (banned ? unbanUser(user) : banUser(user))) await load(); },
  }, t(banned ? "admin.unban.confirm" : "admin.ban.confirm"))];
  for (const kind of ["host", "distributor"]) {
    if (!user.roles.includes(kind)) continue;
    const suspended = user.suspendedRoles.includes(kind);
    const verb = suspended ? "reinstate" : "suspend";
    found.push(h("button", { type: "button", class: suspended ? "" : "danger", dataset: { [verb]: kind },
      onclick: async () => { if (await setSuspended(user.id, user.username, kind, !suspended)) await load(); },
    }, t(`admin.partners.${verb}As`, { kind: roleLabel(kind) })));
  }
  return found;
}

function render() {
  if (!detail) return;
  const { user, host, distributor } = detail;
  $("#user-title").textContent = `${user.displayName} (@${user.username})`;
  document.title = `${user.username} · ${t("admin.user.title")}`;
  $("#user-actions").replaceChildren(...buttons(user));
  const standing = (kind, state) => state ? [statusBadge(state.suspended ? "suspended" : "active")] : [t("admin.diff.none")];
  $("#profile").replaceChildren(
    ...fact("id", String(user.id)),
    ...fact("roles", rolesText(user.roles)),
    ...fact("status", statusBadge(user.status),
      user.bannedUntil ? ` ${t("admin.users.until", { time: dateTime(user.bannedUntil) })}` : ""),
    ...fact("bannedAt", detail.bannedAt ? dateTime(detail.bannedAt) : t("admin.diff.none")),
    ...fact("created", dateTime(user.createdAt)),
    ...fact("orders", t("admin.user.ordersCount", { all: user.orders, recent: detail.ordersLast30Days })),
    ...fact("host", ...standing("host", host), host ? ` ${t("admin.user.hostFacts", { rooms: host.rooms, live: host.liveNow })}` : ""),
    ...fact("distributor", ...standing("distributor", distributor),
      distributor ? ` ${t("admin.user.distributorFacts", { code: distributor.code })}` : ""));
  const apps = detail.applications;
  $("#user-applications").replaceChildren(apps.length ? h("table", { class: "admin-table" },
    h("thead", {}, h("tr", {}, ["role", "status", "created", "reason"].map((c) => h("th", { scope: "col" }, t(`admin.applications.col.${c}`))))),
    h("tbody", {}, apps.map((a) => h("tr", {}, h("td", {}, roleLabel(a.role)), h("td", {}, statusBadge(a.status)),
      h("td", {}, dateTime(a.createdAt)), h("td", {}, a.decisionReason || "")))))
    : h("p", { class: "muted" }, t("admin.applications.none")));
  $("#history").replaceChildren(auditTable(detail.history, { showTarget: false }));
}

async function load() {
  try {
    detail = await api(`/api/admin/users/${userId}`);
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

if (await adminPage()) {
  onLangChange(render);
  await load();
}
