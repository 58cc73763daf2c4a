// Flash sales (秒杀) in the room: a card over the video with the flash price, a countdown on the
// server's clock ("距开抢 00:08"), then "立即抢购" and "剩余 N 件" live, and 已抢光 the moment the
// last unit goes. Buying places the order at once (the unit is held for the buyer), then pays it
// from the wallet; an order left unpaid gives its unit back when it is cancelled.
import { api, errorText, newKey } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money } from "../money.js";
import * as clock from "../clock.js";
import { AddressPicker } from "./buy-address.js";
import { sheet } from "./sheets.js";

const TICK_MS = 250;

function phaseOf(sale) {
  if (sale.status === "ended") return "ended";
  const now = clock.now();
  if (now >= Date.parse(sale.endsAt)) return "ended";
  return now < Date.parse(sale.startsAt) ? "upcoming" : "running";
}

export class FlashSales {
  constructor({ slot, dialog, body, loginHref }) {
    this.slot = slot;
    this.dialog = dialog;
    this.body = body;
    this.loginHref = loginHref;
    this.sales = new Map();
    this.loggedIn = false;
    this.sheet = sheet(dialog);
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  set(sales, loggedIn) {
    this.loggedIn = loggedIn;
    this.sales = new Map((sales || []).map((s) => [s.id, s]));
    for (const sale of this.sales.values()) clock.sync(sale.serverNow);
    this.render();
  }

  // `flash_sale`: a sale was made in the room.
  started(event) {
    const sale = event.sale;
    clock.sync(sale.serverNow);
    this.sales.set(sale.id, { ...sale, yours: 0 });
    this.render();
  }

  // `flash_left`: how many are left now (0: 已抢光), or the sale ended.
  left(event) {
    const sale = this.sales.get(event.saleId);
    if (!sale) return;
    sale.left = event.left;
    if (event.ended) sale.status = "ended";
    this.render();
  }

  relabel() {
    this.render();
  }

  tick() {
    for (const sale of this.sales.values()) {
      const phase = phaseOf(sale);
      if (phase !== sale.shownPhase) return this.render();
    }
    for (const el of this.slot.querySelectorAll("[data-flash-countdown]")) {
      const sale = this.sales.get(Number(el.dataset.flashCountdown));
      if (sale) el.textContent = clock.countdown(Date.parse(phaseOf(sale) === "upcoming" ? sale.startsAt : sale.endsAt) - clock.now());
    }
  }

  render() {
    const cards = [];
    for (const sale of this.sales.values()) {
      const phase = phaseOf(sale);
      sale.shownPhase = phase;
      if (phase === "ended" && !sale.left) continue;
      cards.push(this.card(sale, phase));
    }
    this.slot.replaceChildren(...cards);
    this.slot.hidden = !cards.length;
  }

  card(sale, phase) {
    const soldOut = phase === "running" && sale.left <= 0;
    const until = phase === "upcoming" ? sale.startsAt : sale.endsAt;
    const clockText = h("span", { class: "flash-clock", "data-flash-countdown": String(sale.id) }, clock.countdown(Date.parse(until) - clock.now()));
    const status = phase === "upcoming"
      ? h("p", { class: "flash-when" }, t("flash.startsIn"), " ", clockText)
      : soldOut
        ? h("p", { class: "flash-gone", id: `flash-gone-${sale.id}`, role: "status" }, t("flash.soldOut"))
        : h("p", { class: "flash-when" }, h("span", { class: "flash-left", id: `flash-left-${sale.id}` }, t("flash.left", { n: sale.left })), " · ", t("flash.endsIn"), " ", clockText);
    const button = h("button", {
      type: "button",
      class: "primary small flash-buy",
      id: `flash-buy-${sale.id}`,
      disabled: phase !== "running" || soldOut,
      onclick: () => this.open(sale),
    }, soldOut ? t("flash.soldOut") : phase === "upcoming" ? t("flash.soon") : t("flash.buy"));
    return h("section", { class: `flash-card flash-${soldOut ? "gone" : phase}`, id: `flash-${sale.id}`, "aria-label": t("flash.title") },
      h("span", { class: "flash-tag" }, t("flash.title")),
      sale.imageUrl ? h("img", { src: sale.imageUrl, alt: "" }) : null,
      h("div", { class: "flash-body" },
        h("div", { class: "flash-name" }, sale.title),
        h("div", { class: "flash-prices" }, h("strong", { class: "flash-price" }, money(sale.price)), " ", h("s", {}, money(sale.listPrice)),
          h("span", { class: "flash-limit" }, t("flash.limit", { n: sale.perUserLimit }))),
        status),
      button);
  }

  open(sale) {
    this.sheet.open();
    if (!this.loggedIn) {
      this.body.replaceChildren(h("p", {}, t("buy.loginFirst")), h("a", { class: "button primary", href: this.loginHref }, t("nav.login")));
      return;
    }
    const picker = new AddressPicker();
    const error = h("p", { class: "error", role: "alert", id: "flash-error" });
    const result = h("p", { class: "flash-result", role: "status", id: "flash-result" });
    const submit = h("button", { type: "submit", class: "primary", id: "flash-pay" }, t("flash.payWallet", { price: money(sale.price) }));
    const form = h("form", { class: "buy-form flash-form", novalidate: true },
      h("p", {}, h("strong", {}, sale.title), " · ", sale.skuName, " · ", money(sale.price)),
      picker.element, error, result, h("div", { class: "row" }, submit));
    const key = newKey();
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      error.textContent = "";
      try {
        // One tap: placed and paid from the wallet in one request (a short wallet places nothing).
        const addressId = await picker.addressId();
        const order = await api(`/api/flash-sales/${sale.id}/orders`, { method: "POST", body: { quantity: 1, addressId, payWith: "wallet" }, idempotencyKey: key });
        if (order.status === "paid") {
          sale.yours = (sale.yours || 0) + 1;
          result.textContent = t("flash.won");
          submit.hidden = true;
          return;
        }
      } catch (err) {
        error.textContent = err.code === "address_invalid" ? t("buy.addressMissing") : errorText(err);
        if (err.code === "flash_sold_out") { sale.left = 0; this.render(); }
      }
      submit.disabled = false;
    });
    this.body.replaceChildren(form);
    picker.load();
  }
}
