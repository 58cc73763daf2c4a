// Group buys (拼团) for a product: "单独购买 ¥X" beside "发起拼团 ¥Y (N人团)", the open groups one
// can join (还差 1 人，剩余 03:12:09, on the server's clock), and the sheet that opens or joins a
// group: pick a SKU, where it ships, then pay from the wallet or on the gateway. The order is
// placed unpaid (POST /api/group-buys[/{id}/join]); paying it takes the seat, then the buyer
// lands on the group's page (/g/{id}) to share it.
import { api, errorText, newKey } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money } from "../money.js";
import { frameSrc } from "../pay-frame.js";
import * as clock from "../clock.js";
import { AddressPicker } from "./buy-address.js";
import { sheet } from "./sheets.js";

const POLL_MS = 1000;

export async function groupOffer(productId) {
  try {
    const offer = await api(`/api/products/${productId}/group-buy`);
    clock.sync(offer.serverNow);
    return offer.enabled ? offer : null;
  } catch {
    return null; // no group buy for this product
  }
}

export function cheapest(offer) {
  return offer.prices.reduce((a, b) => (b.price < a.price ? b : a), offer.prices[0]);
}

export function leftText(expiresAt) {
  return clock.countdown(Date.parse(expiresAt) - clock.now());
}

// The buttons and the open groups, rendered into `root`; `buyAlone` opens the ordinary sheet.
export class GroupOfferView {
  constructor(root, { sheet: groupSheet, buyAlone }) {
    this.root = root;
    this.groupSheet = groupSheet;
    this.buyAlone = buyAlone;
    this.offer = null;
    this.timer = null;
  }

  async load(product) {
    this.product = product;
    this.offer = await groupOffer(product.id);
    this.render();
  }

  render() {
    clearInterval(this.timer);
    const offer = this.offer;
    this.root.hidden = !offer;
    if (!offer) return this.root.replaceChildren();
    const best = cheapest(offer);
    const alone = h("button", { type: "button", class: "group-alone", id: "group-alone", onclick: () => this.buyAlone() },
      t("group.buyAlone", { price: money(best.listPrice) }));
    const start = h("button", { type: "button", class: "primary group-start", id: "group-start", onclick: () => this.groupSheet.open(this.product, offer, null) },
      t("group.start", { price: money(best.price), n: offer.groupSize }));
    const counters = [];
    const groups = offer.openGroups.map((g) => {
      const left = h("span", { class: "group-left" }, leftText(g.expiresAt));
      counters.push([left, g.expiresAt]);
      return h("li", { class: "group-open" },
        h("span", { class: "group-face", "aria-hidden": "true" }, (g.leaderName || "?").slice(0, 1).toUpperCase()),
        h("span", { class: "group-who" }, g.leaderName),
        h("span", { class: "group-need" }, t("group.need", { n: g.seatsLeft }), " ", t("group.left"), " ", left),
        h("a", { class: "button small", href: `/g/${g.id}` }, t("group.goJoin")));
    });
    this.root.replaceChildren(h("div", { class: "row group-buttons" }, alone, start),
      groups.length ? h("div", {}, h("h3", {}, t("group.openGroups")), h("ul", { class: "group-list" }, groups)) : "");
    this.timer = setInterval(() => {
      for (const [el, at] of counters) el.textContent = leftText(at);
    }, 1000);
  }
}

// The sheet that opens (join: null) or joins a group and pays for it.
export class GroupSheet {
  constructor(dialog, body, { roomId = null, loginHref, loggedIn = false, onDone = null }) {
    this.onDone = onDone;
    this.dialog = dialog;
    this.body = body;
    this.roomId = roomId;
    this.loginHref = loginHref;
    this.loggedIn = loggedIn;
    this.poller = null;
    this.sheet = sheet(dialog, { onClose: () => clearInterval(this.poller) });
  }

  open(product, offer, join) {
    this.sheet.open();
    if (!this.loggedIn) {
      this.body.replaceChildren(h("p", {}, t("buy.loginFirst")), h("a", { class: "button primary", href: this.loginHref }, t("nav.login")));
      return;
    }
    const error = h("p", { class: "error", role: "alert" });
    const picker = new AddressPicker();
    const skuName = (id) => (product.skus || []).find((s) => s.id === id)?.name || offer.prices.find((p) => p.skuId === id)?.skuName || "";
    const first = cheapest(offer);
    const skus = h("fieldset", { class: "sku-options" }, h("legend", { class: "visually-hidden" }, t("buy.sku")),
      offer.prices.map((p) => h("label", {},
        h("input", { type: "radio", name: "sku", value: String(p.skuId), checked: p.skuId === first.skuId }),
        `${skuName(p.skuId)} · ${money(p.price)}`)));
    const payArea = h("div", { class: "pay-area" });
    const payGateway = h("button", { type: "submit", class: "primary", value: "gateway", id: "group-pay-gateway" }, t("buy.payGateway"));
    const payWallet = h("button", { type: "submit", value: "wallet", id: "group-pay-wallet" }, t("buy.payWallet"));
    const form = h("form", { class: "buy-form group-form", novalidate: true },
      h("p", { class: "group-terms" }, h("strong", {}, product.title), " · ", t("group.terms", { n: offer.groupSize, hours: offer.hours })),
      skus, picker.element, error, h("div", { class: "row" }, payGateway, payWallet), payArea);
    let key = null;
    let keyBody = "";
    let busy = false;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (busy) return;
      busy = true;
      payGateway.disabled = payWallet.disabled = true;
      error.textContent = "";
      const method = (event.submitter && event.submitter.value) || "gateway";
      try {
        const addressId = await picker.addressId();
        const body = { skuId: Number(form.elements.sku.value), addressId };
        if (this.roomId) body.roomId = this.roomId;
        const signature = JSON.stringify([join, body]);
        if (signature !== keyBody) {
          key = newKey();
          keyBody = signature;
        }
        const path = join ? `/api/group-buys/${join}/join` : "/api/group-buys";
        const placed = await api(path, { method: "POST", body, idempotencyKey: key });
        const payment = await api(`/api/orders/${placed.order.id}/pay`, { method: "POST", body: { method } });
        if (payment.order && payment.order.status !== "pending_payment") return this.done(placed.groupId);
        payArea.replaceChildren(h("p", { class: "muted", role: "status" }, t("buy.paying")),
          h("iframe", { class: "pay-frame", src: frameSrc(payment.payUrl), title: t("buy.payFrame") }));
        clearInterval(this.poller);
        this.poller = setInterval(async () => {
          const order = await api(`/api/orders/${placed.order.id}`).catch(() => null);
          if (order && order.status !== "pending_payment") this.done(placed.groupId);
        }, POLL_MS);
      } catch (err) {
        error.textContent = err.code === "address_invalid" ? t("buy.addressMissing") : errorText(err);
        if (err.code === "group_buy_already_in" && err.body && err.body.groupId) {
          error.append(" ", h("a", { href: `/g/${err.body.groupId}` }, t("group.seeMine")));
        }
        busy = false;
        payGateway.disabled = payWallet.disabled = false;
      }
    });
    this.body.replaceChildren(form);
    picker.load();
    form.querySelector("input[name=sku]:checked")?.focus();
  }

  done(groupId) {
    clearInterval(this.poller);
    if (this.onDone) return this.onDone(groupId);
    location.assign(`/g/${groupId}`);
  }
}

// The room's group buys: the snapshot's `groupBuys` (the showcase's products with a group buy),
// shown at the top of the buy sheet as 单独购买 beside 发起拼团 for the product it opens for;
// `group_buy` events (a group opened, filled or failed) refresh that product's open groups.
export class RoomGroupBuys {
  constructor({ slot, dialog, body, roomId, loginHref, buy, buyDialog }) {
    this.slot = slot;
    this.offers = new Map();
    this.showing = null;
    this.buyDialog = buyDialog;
    // In the room the viewer stays: the sheet says it is done and links the group's page to share.
    this.groupSheet = new GroupSheet(dialog, body, { roomId, loginHref, onDone: (groupId) => {
      body.replaceChildren(h("p", { class: "notice", role: "status", id: "group-done" }, t("group.paid")),
        h("a", { class: "button primary", href: `/g/${groupId}`, target: "_blank", rel: "noopener" }, t("group.shareTitle")));
    } });
    this.view = new GroupOfferView(slot, {
      sheet: { open: (product, offer, join) => { buyDialog.close(); this.groupSheet.open(product, offer, join); } },
      buyAlone: () => buyDialog.querySelector("#buy-body input, #buy-body button")?.focus(),
    });
    buy.onOpen = (item) => this.show(item);
  }

  set(groupBuys, loggedIn) {
    this.groupSheet.loggedIn = loggedIn;
    this.offers = new Map((groupBuys || []).map((offer) => [offer.productId, offer]));
    if (this.showing) this.show(this.showing);
  }

  show(item) {
    this.showing = item;
    const offer = this.offers.get(item.id);
    const skus = offer ? offer.prices.map((p) => ({ id: p.skuId, name: p.skuName })) : [];
    this.view.product = { id: item.id, title: item.title, skus };
    this.view.offer = offer || null;
    this.view.render();
  }

  async event(e) {
    if (!this.offers.has(e.productId)) return;
    const fresh = await groupOffer(e.productId);
    if (!fresh) return;
    const known = this.offers.get(e.productId);
    this.offers.set(e.productId, { ...known, openGroups: fresh.openGroups });
    if (this.showing && this.showing.id === e.productId) this.show(this.showing);
  }

  relabel() {
    if (this.showing) this.show(this.showing);
  }
}
