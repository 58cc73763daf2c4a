// Buying without leaving the room: pick a SKU, a quantity and a coupon, place the order
// (with an Idempotency-Key kept while the body stays the same, so a double tap or a retry
// is one order), then pay from the wallet or on the gateway's page shown inside the sheet.
// Prices come from the server's quote (POST /api/checkout/quote), asked again whenever the
// selection changes: the sheet shows exactly what the order will charge, and offers the
// buyer's coupons with what each takes off (the best one picked until the buyer picks).
import { api, errorText, newKey } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money } from "../money.js";
import { quote } from "../promotions-api.js";
import { sheet } from "./sheets.js";

const POLL_MS = 1000;
const QUOTE_DEBOUNCE_MS = 150;
// A coupon the server names but can't use with this selection (stale list): drop it, price without.
const COUPON_REFUSALS = new Set(["not_found", "coupon_unavailable", "coupon_expired", "coupon_not_applicable",
  "coupon_not_yet_valid", "coupon_threshold_not_met"]);

export class BuySheet {
  constructor(dialog, body, { roomId, loginHref }) {
    this.body = body;
    this.roomId = roomId;
    this.loginHref = loginHref;
    this.loggedIn = false;
    this.hostId = null;
    this.poller = null;
    this.quoteTimer = null;
    this.sheet = sheet(dialog, { onClose: () => {
      this.stopPolling();
      this.stopQuoting();
    } });
  }

  async open(item) {
    this.stopPolling();
    this.stopQuoting();
    this.sheet.open();
    if (!this.loggedIn) {
      this.body.replaceChildren(h("p", {}, t("buy.loginFirst")), h("a", { class: "button primary", href: this.loginHref }, t("nav.login")));
      return;
    }
    this.body.replaceChildren(h("p", { class: "muted" }, t("common.loading")));
    const error = h("p", { class: "error", role: "alert" });
    let product;
    try {
      product = await api(`/api/products/${item.id}`);
    } catch (err) {
      this.body.replaceChildren(h("p", { class: "error", role: "alert" }, errorText(err)));
      return;
    }
    this.render(product, error);
  }

  render(product, error) {
    const form = h("form", { class: "buy-form", novalidate: true });
    const firstInStock = product.skus.find((s) => s.stock > 0) || product.skus[0];
    const skus = h("fieldset", { class: "sku-options" }, h("legend", { class: "visually-hidden" }, t("buy.sku")),
      product.skus.map((sku) => h("label", {},
        h("input", { type: "radio", name: "sku", value: String(sku.id), checked: sku.id === firstInStock.id }),
        `${sku.name} · ${money(sku.price)}`, sku.stock <= 0 ? ` (${t("room.soldOut")})` : "")));
    const quantity = h("input", { id: "buy-quantity", name: "quantity", type: "number", min: "1", max: "99", value: "1", inputmode: "numeric" });
    // Filled from the quote: the buyer's usable coupons of this host, hidden while there are none.
    const couponLabel = h("label", { for: "buy-coupon", hidden: true }, t("buy.coupon"));
    const couponSelect = h("select", { id: "buy-coupon", name: "coupon", hidden: true, "aria-describedby": "buy-coupon-note" },
      h("option", { value: "" }, t("buy.noCoupon")));
    const couponNote = h("p", { class: "muted", id: "buy-coupon-note", role: "status", hidden: true });
    const original = h("span", { id: "buy-original" });
    const discount = h("span", { id: "buy-discount" });
    const breakdown = h("p", { class: "muted", id: "buy-breakdown", hidden: true }, t("product.price"), " ", original, " · ", discount);
    const totalValue = h("span", { class: "price", id: "buy-total" }, "…");
    const total = h("div", { class: "buy-total", "aria-live": "polite", "aria-busy": "true" }, t("buy.total"), " ", totalValue);
    const payGateway = h("button", { type: "submit", class: "primary", value: "gateway" }, t("buy.payGateway"));
    const payWallet = h("button", { type: "submit", value: "wallet" }, t("buy.payWallet"));
    const payArea = h("div", { class: "pay-area" });
    let key = null;
    let keyBody = "";
    let coupons = []; // the last quote's list
    let listed = ""; // what the coupon options show now (rebuilt only when it changes)
    let chosen = false; // the buyer picked a coupon (or none) themselves: stop picking the best
    let quoting = false; // the shown total is not the current selection's yet
    let priced = ""; // the selection the last quote was asked for
    let placing = false;
    let asked = 0; // the latest quote asked for: older answers are dropped

    const buttons = () => {
      payGateway.disabled = payWallet.disabled = placing;
    };
    const selection = () => {
      const sku = product.skus.find((s) => String(s.id) === form.elements.sku.value) || firstInStock;
      const qty = Math.max(1, Math.min(99, parseInt(quantity.value, 10) || 1));
      const userCouponId = couponSelect.value ? Number(couponSelect.value) : null;
      return { sku, qty, userCouponId, items: [{ skuId: sku.id, quantity: qty }] };
    };
    const optionText = (c) => (c.applicable ? c.title : `${c.title} · ${errorText({ code: c.reason, detail: c.reason })}`);
    const showCoupons = (list) => {
      coupons = list;
      const signature = JSON.stringify(list.map((c) => [c.userCouponId, optionText(c)]));
      if (signature !== listed) {
        const current = couponSelect.value;
        couponSelect.replaceChildren(h("option", { value: "" }, t("buy.noCoupon")),
          ...list.map((c) => h("option", { value: String(c.userCouponId) }, optionText(c))));
        couponSelect.value = list.some((c) => String(c.userCouponId) === current) ? current : "";
        listed = signature;
      }
      couponLabel.hidden = couponSelect.hidden = !list.length;
    };
    const note = (text) => {
      couponNote.textContent = text || "";
      couponNote.hidden = !text;
    };
    const showQuote = (q, notice) => {
      totalValue.textContent = money(q.payAmount);
      original.textContent = money(q.totalAmount);
      discount.textContent = t("coupon.off", { amount: money(q.discountAmount) });
      breakdown.hidden = !(q.discountAmount > 0);
      const picked = coupons.find((c) => String(c.userCouponId) === couponSelect.value);
      note(notice || (picked && !picked.applicable ? errorText({ code: picked.reason, detail: picked.reason }) : ""));
    };
    const settle = () => {
      quoting = false;
      total.removeAttribute("aria-busy");
    };
    const ask = async (notice = "", retried = false) => {
      const mine = ++asked;
      const s = selection();
      priced = JSON.stringify([s.items, s.userCouponId]);
      let q;
      try {
        q = await quote(s.items, s.userCouponId);
      } catch (err) {
        if (mine !== asked) return;
        if (s.userCouponId && COUPON_REFUSALS.has(err.code) && !retried) {
          couponSelect.value = "";
          return ask(errorText(err), true);
        }
        totalValue.textContent = "—"; // unknown until the items can be priced again
        note(errorText(err));
        settle();
        return;
      }
      if (mine !== asked) return;
      showCoupons(q.coupons || []);
      const best = q.bestUserCouponId == null ? "" : String(q.bestUserCouponId);
      if (!chosen && !retried && best !== couponSelect.value) {
        couponSelect.value = best; // price it with the best coupon before showing a total
        return ask(notice, true);
      }
      showQuote(q, notice);
      settle();
    };
    const requote = (delay = QUOTE_DEBOUNCE_MS) => {
      const s = selection();
      // A blur's `change` after the `input` already priced: nothing new to ask.
      if (!quoting && JSON.stringify([s.items, s.userCouponId]) === priced) return;
      quoting = true;
      total.setAttribute("aria-busy", "true");
      clearTimeout(this.quoteTimer);
      this.quoteTimer = setTimeout(() => ask(), delay);
    };
    couponSelect.addEventListener("change", () => {
      chosen = true;
    });
    form.addEventListener("input", () => requote());
    form.addEventListener("change", () => requote());
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (placing) return;
      const method = (event.submitter && event.submitter.value) || "gateway";
      error.textContent = "";
      placing = true;
      buttons();
      payArea.replaceChildren(h("p", { class: "muted" }, t("buy.placing")));
      if (quoting) {
        // Paying before the change's total is shown (a tap right after typing): price it first,
        // so what is ordered is what the sheet shows (with the best coupon, if it picks one).
        this.stopQuoting();
        await ask();
      }
      const s = selection();
      const body = { items: s.items };
      if (this.roomId) body.roomId = this.roomId; // outside a room (the product page) there is none
      if (s.userCouponId) body.couponId = s.userCouponId;
      const signature = JSON.stringify(body);
      if (signature !== keyBody) {
        key = newKey();
        keyBody = signature;
      }
      try {
        const order = await api("/api/orders", { method: "POST", body, idempotencyKey: key });
        const payment = await api(`/api/orders/${order.id}/pay`, { method: "POST", body: { method } });
        key = null; // the next purchase is a new order
        keyBody = "";
        if (payment.order && payment.order.status !== "pending_payment") this.paid(payment.order, payArea);
        else this.payOnGateway(order, payment.payUrl, payArea, error);
      } catch (err) {
        payArea.replaceChildren();
        error.textContent = errorText(err);
        placing = false;
        buttons();
      }
    });
    form.append(
      h("p", {}, h("strong", {}, product.title)),
      skus,
      h("label", { for: "buy-quantity" }, t("buy.quantity")), quantity,
      couponLabel, couponSelect, couponNote,
      breakdown, total, error, h("div", { class: "row" }, payGateway, payWallet), payArea);
    this.body.replaceChildren(form);
    requote(0);
    form.querySelector("input[name=sku]:checked")?.focus();
  }

  payOnGateway(order, payUrl, payArea, error) {
    const frame = h("iframe", { class: "pay-frame", src: payUrl, title: t("buy.payFrame") });
    payArea.replaceChildren(h("p", { class: "notice" }, t("buy.paying")), frame);
    this.stopPolling();
    this.poller = setInterval(async () => {
      try {
        const fresh = await api(`/api/orders/${order.id}`);
        if (fresh.status !== "pending_payment") {
          this.stopPolling();
          this.paid(fresh, payArea);
        }
      } catch (err) {
        error.textContent = errorText(err);
      }
    }, POLL_MS);
  }

  paid(order, payArea) {
    const done = h("p", { class: "notice", role: "status", id: "buy-paid" }, t("buy.paid", { id: order.id }));
    payArea.replaceChildren(done);
  }

  stopPolling() {
    clearInterval(this.poller);
    this.poller = null;
  }

  stopQuoting() {
    clearTimeout(this.quoteTimer);
    this.quoteTimer = null;
  }
}
