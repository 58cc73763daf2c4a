// /admin/users: find anyone by name or id, see their roles and standing, ban or unban.
import { api } from "../api.js";
import { $, h, showError } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime } from "../money.js";
import { banUser, unbanUser } from "./ban-actions.js";
import { adminPage } from "./nav.js";
import { rolesText, statusBadge } from "./words.js";

const form = $("#filters");
let users = [];
let cursor = null;

function query(from) {
  const params = new URLSearchParams();
  for (const name of ["q", "role", "status"]) {
    const value = form.elements.namedItem(name).value.trim();
    if (value) params.set(name, value);
  }
  if (from) params.set("cursor", String(from));
  return params.toString();
}

function actions(user) {
  const view = h("a", { class: "button small", href: `/admin/users/${user.id}` }, t("admin.users.view"));
  if (user.roles.includes("admin")) return [view];
  const banned = user.status === "banned";
  return [view, h("button", { type: "button", class: banned ? "small" : "small danger",
    "aria-label": `${t(banned ? "admin.unban.confirm" : "admin.ban.confirm")} ${user.username}`,
    dataset: { [banned ? "unban" : "ban"]: String(user.id) },
    onclick: async () => { if (await (banned ? unbanUser(user) : banUser(user))) await load(); },
  }, t(banned ? "admin.unban.confirm" : "admin.ban.confirm"))];
}

function render() {
  const cols = ["id", "username", "name", "roles", "status", "orders", "rooms", "created", "actions"];
  const num = new Set(["orders", "rooms"]);
  $("#users").replaceChildren(h("table", { class: "admin-table" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col", class: num.has(c) ? "num" : "" }, t(`admin.users.col.${c}`))))),
    h("tbody", {}, users.length ? users.map((u) => h("tr", { class: u.status === "banned" ? "is-banned" : "", dataset: { userId: String(u.id), username: u.username } },
      h("td", {}, String(u.id)),
      h("td", {}, h("a", { href: `/admin/users/${u.id}` }, u.username)),
      h("td", {}, u.displayName),
      h("td", {}, rolesText(u.roles)),
      h("td", {}, statusBadge(u.status), u.bannedUntil ? h("div", { class: "muted" }, t("admin.users.until", { time: dateTime(u.bannedUntil) })) : null),
      h("td", { class: "num" }, String(u.orders)),
      h("td", { class: "num" }, String(u.rooms)),
      h("td", {}, dateTime(u.createdAt)),
      h("td", { class: "actions" }, actions(u))))
      : h("tr", {}, h("td", { colspan: String(cols.length), class: "empty" }, t("admin.users.none"))))));
  $("#more").hidden = !cursor;
}

async function load(more = false) {
  try {
    const page = await api(`/api/admin/users?${query(more ? cursor : null)}`);
    users = more ? [...users, ...page.items] : page.items;
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
