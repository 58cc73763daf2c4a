// The operator console's frame, shared by every /admin page: the side navigation (all of its
// entries, in one place) and the admin-only gate. A guest is sent to the login page and back; a
// logged-in non-admin sees a 403 notice and nothing else (the APIs answer 401/403 anyway).
import { h } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { loginUrl } from "../session.js";

export const ADMIN_LINKS = [
  ["/admin", "admin.nav.overview"],
  ["/admin/applications", "admin.nav.applications"],
  ["/admin/users", "admin.nav.users"],
  ["/admin/partners", "admin.nav.partners"],
  ["/admin/withdrawals", "admin.nav.withdrawals"],
  ["/admin/disputes", "admin.nav.disputes"],
  ["/admin/reports", "admin.nav.reports"],
  ["/admin/settings", "admin.nav.settings"],
  ["/admin/gifts", "admin.nav.gifts"],
  ["/admin/audit", "admin.nav.audit"],
  ["/admin/tables/", "admin.nav.tables"],
];

// The link of the page we are on: the longest entry the path starts with (/admin/users/7 is
// under 用户), never /admin for every page.
function currentLink(path) {
  let best = null;
  for (const [href] of ADMIN_LINKS) {
    const base = href.replace(/\/$/, "");
    if ((path === base || path.startsWith(`${base}/`)) && (!best || base.length > best.length)) best = base;
  }
  return best;
}

export function adminNav(path = location.pathname) {
  const current = currentLink(path);
  const nav = h("nav", { class: "admin-nav", "aria-label": t("admin.nav.label"), "data-i18n-aria-label": "admin.nav.label" },
    h("ul", {}, ADMIN_LINKS.map(([href, key]) => h("li", {},
      h("a", { href, "data-i18n": key, "aria-current": href.replace(/\/$/, "") === current ? "page" : false }, t(key))))));
  return nav;
}

// Every admin page starts here: header, language, the nav into `#admin-nav`, then the gate.
// Resolves to the admin user, or null when the page must show nothing (redirecting or 403).
export async function adminPage() {
  const user = await boot();
  const slot = document.getElementById("admin-nav");
  if (slot) slot.replaceChildren(adminNav());
  onLangChange(() => { if (slot) slot.replaceChildren(adminNav()); });
  const content = document.getElementById("admin-content");
  if (!user) {
    location.assign(loginUrl());
    return null;
  }
  if (!(user.roles || []).includes("admin")) {
    const notice = h("p", { class: "error", role: "alert", id: "admin-forbidden", "data-i18n": "admin.forbidden" }, t("admin.forbidden"));
    if (content) content.before(notice);
    else document.querySelector("main")?.append(notice);
    return null;
  }
  if (content) content.hidden = false;
  return user;
}
