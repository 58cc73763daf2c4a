// The product library: every host's products on shelf and rooms live or about to be, with
// what you (level 1) and your upline earn at today's price; one tap copies your link (the
// same link every time), another opens its poster.
import { $, h, showError, toast } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime, money, percentBp } from "../money.js";
import { absolute, ensureLink, library } from "./api.js";
import { copyText } from "./copy.js";
import { openPoster } from "./poster.js";

const KINDS = ["all", "room", "product"];
const state = { q: "", kind: "all", host: null, items: [], nextOffset: null, levels: 0, loaded: false };
let onLinkMade = () => {};

function target(item) {
  return item.kind === "room" ? { roomId: item.id } : { productId: item.id };
}

function stockText(item) {
  if (item.stockState === "low") return t("dist.lib.stock.low", { n: item.stock });
  return t(`dist.lib.stock.${item.stockState}`);
}

function levelsText(item) {
  const bare = item.kind === "room" && !item.products;
  return item.commissions.map((c) => t("dist.lib.level", { n: c.level, rate: percentBp(c.rateBp), amount: bare ? "" : money(c.amount) }).trim()).join(" · ");
}

async function copy(item, button, status) {
  button.disabled = true;
  status.textContent = "";
  try {
    const link = await ensureLink(target(item));
    const fresh = !item.link;
    item.link = { id: link.id, code: link.code, url: link.url };
    const url = absolute(link.url);
    const copied = await copyText(url);
    status.textContent = copied ? t("dist.lib.copied") : t("dist.lib.copyFailed");
    status.className = copied ? "copied notice" : "copied error";
    status.replaceChildren(status.textContent, " ", h("input", { class: "link-text", readonly: true, value: url, "aria-label": t("dist.lib.linkLabel"), onfocus: (e) => e.target.select() }));
    if (copied) toast(t("dist.lib.copied"));
    if (fresh) onLinkMade();
  } catch (err) {
    status.className = "copied error";
    showError(err, status);
  } finally {
    button.disabled = false;
  }
}

function card(item) {
  const titleId = `lib-${item.kind}-${item.id}`;
  const status = h("p", { class: "copied", role: "status", "aria-live": "polite" });
  const copyButton = h("button", { type: "button", class: "primary small", "aria-describedby": titleId }, t("dist.lib.copy"));
  copyButton.addEventListener("click", () => copy(item, copyButton, status));
  const posterButton = h("button", { type: "button", class: "small", "aria-describedby": titleId }, t("dist.lib.poster"));
  posterButton.addEventListener("click", async () => {
    const had = Boolean(item.link);
    await openPoster(item, posterButton);
    if (!had) {
      item.link = item.link || { made: true };
      onLinkMade();
    }
  });
  const hostButton = h("button", { type: "button", class: "link-button", onclick: () => filterHost({ id: item.hostId, name: item.hostName }) },
    t("dist.lib.host", { host: item.hostName }));
  const lead = item.kind === "room"
    ? h("span", { class: `badge ${item.status}` }, item.status === "live" ? t("dist.lib.live") : t("dist.lib.upcoming", { at: dateTime(item.startsAt) }))
    : h("span", { class: `stock ${item.stockState}` }, stockText(item));
  const price = item.kind === "product"
    ? h("p", { class: "price" }, money(item.price), item.maxPrice > item.price ? h("small", {}, ` ${t("dist.lib.from")}`) : null)
    : h("p", { class: "muted" }, t("dist.lib.showcase", { n: item.products }));
  // A room with nothing on its showcase yet earns by whatever sells: its rates, no amount.
  const bare = item.kind === "room" && !item.products;
  const earn = bare ? t("dist.lib.earnRates")
    : item.kind === "room" ? t("dist.lib.earnUpTo", { amount: money(item.myAmount) }) : t("dist.lib.earn", { amount: money(item.myAmount) });
  return h("li", { class: "card lib-item", dataset: { kind: item.kind, id: String(item.id) } },
    item.thumbUrl ? h("img", { class: "thumb", src: item.thumbUrl, alt: "", loading: "lazy" }) : h("div", { class: "thumb placeholder", "aria-hidden": "true" }, item.title.slice(0, 1)),
    h("div", { class: "body" },
      h("h3", { id: titleId }, item.title),
      h("p", { class: "meta" }, lead, " ", hostButton),
      price,
      h("p", { class: "earn" }, h("strong", {}, earn), item.ratesOverridden ? h("span", { class: "own-rates" }, t("dist.lib.ownRates")) : null),
      h("p", { class: "levels muted" }, levelsText(item)),
      h("div", { class: "row actions" }, copyButton, posterButton, item.link ? h("span", { class: "muted linked" }, t("dist.lib.linked")) : null),
      status));
}

export function renderLibrary() {
  $("#library-kinds").replaceChildren(...KINDS.map((kind) => h("button", {
    type: "button", class: "small", "aria-pressed": String(kind === state.kind),
    onclick: () => { state.kind = kind; load(); },
  }, t(`dist.lib.kind.${kind}`))));
  const host = $("#library-host");
  host.hidden = !state.host;
  if (state.host) {
    host.replaceChildren(t("dist.lib.byHost", { host: state.host.name }), " ",
      h("button", { type: "button", class: "small", onclick: () => filterHost(null) }, t("dist.lib.allHosts")));
  }
  const list = $("#library-items");
  if (state.loaded && !state.items.length) list.replaceChildren(h("li", { class: "empty" }, t("dist.lib.empty")));
  else list.replaceChildren(...state.items.map(card));
  $("#library-more").hidden = state.nextOffset === null;
}

function filterHost(host) {
  state.host = host;
  load();
}

async function load({ more = false } = {}) {
  try {
    const page = await library({ q: state.q, hostId: state.host && state.host.id, kind: state.kind, offset: more ? state.nextOffset : 0 });
    state.items = more ? state.items.concat(page.items) : page.items;
    state.nextOffset = page.nextOffset;
    state.levels = page.levels;
    state.loaded = true;
  } catch (err) {
    showError(err, $("#library-error"));
  }
  renderLibrary();
}

let wired = false;

// Wires the search form once, then (on every call) loads the first page again.
export function setupLibrary({ onLink }) {
  onLinkMade = onLink || onLinkMade;
  if (wired) return load();
  wired = true;
  $("#library-search").addEventListener("submit", (event) => {
    event.preventDefault();
    state.q = $("#library-q").value.trim();
    load();
  });
  $("#library-more").addEventListener("click", () => load({ more: true }));
  return load();
}
