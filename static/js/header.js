// The site header every page shares: links, the language toggle, who is logged in.
import { apply, lang, onLangChange, t, toggleLang } from "./i18n.js";
import { h } from "./dom.js";
import { loginUrl, logout, me } from "./session.js";
import { inboxBell } from "./inbox-badge.js";

const LINKS = [
  ["/", "nav.home"],
  ["/me/orders", "nav.orders"],
  ["/me/coupons", "nav.coupons"],
  ["/me/wallet", "nav.wallet"],
  ["/host", "nav.host", "host"],
  // A host's staff work on its members (and read its order desk).
  ["/host/members", "nav.members", "staff"],
  ["/distributor", "nav.distributor"],
  ["/admin", "nav.admin", "admin"],
];

export function langButton() {
  const button = h("button", { type: "button", class: "small lang-toggle", "data-i18n": "lang.switch",
    "data-i18n-aria-label": "lang.label", onclick: toggleLang }, t("lang.switch"));
  button.setAttribute("aria-label", t("lang.label"));
  return button;
}

export async function mountHeader() {
  const header = document.querySelector("header.site-header");
  if (!header) return null;
  const user = await me();
  const roles = new Set((user && user.roles) || []);
  const here = location.pathname;
  const nav = h("nav", { "aria-label": "main" },
    LINKS.filter(([, , role]) => !role || roles.has(role) || roles.has("admin")).map(([href, key]) =>
      h("a", { href, "data-i18n": key, "aria-current": href === here ? "page" : false }, t(key))));
  const who = h("div", { class: "who" },
    langButton(),
    user ? inboxBell() : null,
    user ? h("a", { class: "muted user-name", href: "/me", "aria-current": here === "/me" ? "page" : false,
      "data-i18n-title": "nav.me", title: t("nav.me") }, user.displayName || user.username) : null,
    user ? h("button", { type: "button", class: "small", "data-i18n": "nav.logout", onclick: logout }, t("nav.logout"))
      : h("a", { class: "button small primary", href: loginUrl(), "data-i18n": "nav.login" }, t("nav.login")));
  header.replaceChildren(
    h("a", { class: "skip-link", href: "#main", "data-i18n": "nav.skip" }, t("nav.skip")),
    h("a", { class: "brand", href: "/" }, h("span", {}, "●"), " ", h("b", { "data-i18n": "app.name" }, t("app.name"))),
    nav, who);
  // On a phone the links are one strip that scrolls sideways: the current page's is in view.
  const current = nav.querySelector("[aria-current=page]");
  if (current && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = current.offsetLeft - nav.offsetLeft - 16;
  document.documentElement.lang = lang();
  return user;
}

// Every page: translate the static text now and whenever the language changes.
export async function boot() {
  apply();
  onLangChange(() => apply());
  return mountHeader();
}
