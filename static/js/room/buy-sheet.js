// Buying without leaving the room: pick a SKU, a quantity and a coupon, place the order
// (with an Idempotency-Key kept while the body stays the same, so a double tap or a retry
// is one order), then pay from the wallet or on the gateway's page shown inside the sheet.
import { api, errorText, newKey } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money } from "../money.js";
import { couponOf, discountFor, myCoupons } from "../promotions-api.js";
import { sheet } from "./sheets.js";

const POLL_MS = 1000;

export class BuySheet {
  constructor(dialog, body, { roomId, loginHref }) {
    this.body = body;
    this.roomId = roomId;
    this.loginHref = loginHref;
    this.loggedIn = false;
    this.hostId = null;
    this.poller = null;
    this.sheet = sheet(dialog, { onClose: () => this.stopPolling() });
  }

  async open(item) {
    this.stopPolling();
    this.sheet.open();
    if (!this.loggedIn) {
      this.body.replaceChildren(h("p", {}, t("buy.loginFirst")), h("a", { class: "button primary", href: this.loginHref }, t("nav.login")));
      return;
    }
    this.body.replaceChildren(h("p", { class: "muted" }, t("common.loading")));
    const error = h("p", { class: "error", role: "alert" });
    let product;
    let coupons = [];
    try {
      [product, coupons] = await Promise.all([
        api(`/api/products/${item.id}`),
        myCoupons("available").then((page) => (page.items || page || []), () => []),
      ]);
    } catch (err) {
      this.body.replaceChildren(h("p", { class: "error", role: "alert" }, errorText(err)));
      return;
    }
    this.render(product, this.usable(coupons, product), error);
  }

  usable(coupons, product) {
    return coupons
      .filter((uc) => !uc.status || uc.status === "available")
      .map((uc) => ({ userCouponId: uc.id, ...couponOf(uc) }))
      .filter((c) => !c.productIds.length || c.productIds.includes(product.id));
  }

  render(product, coupons, error) {
    const form = h("form", { class: "buy-form", novalidate: true });
    const firstInStock = product.skus.find((s) => s.stock > 0) || product.skus[0];
    const skus = h("fieldset", { class: "sku-options" }, h("legend", { class: "visually-hidden" }, t("buy.sku")),
      product.skus.map((sku) => h("label", {},
        h("input", { type: "radio", name: "sku", value: String(sku.id), checked: sku.id === firstInStock.id }),
        `${sku.name} · ${money(sku.price)}`, sku.stock <= 0 ? ` (${t("room.soldOut")})` : "")));
    const quantity = h("input", { id: "buy-quantity", name: "quantity", type: "number", min: "1", max: "99", value: "1", inputmode: "numeric" });
    const couponSelect = h("select", { id: "buy-coupon", name: "coupon" },
      h("option", { value: "" }, t("buy.noCoupon")),
      coupons.map((c) => h("option", { value: String(c.userCouponId) }, c.title || String(c.id))));
    const total = h("div", { class: "buy-total", "aria-live": "polite" });
    const payGateway = h("button", { type: "submit", class: "primary", value: "gateway" }, t("buy.payGateway"));
    const payWallet = h("button", { type: "submit", value: "wallet" }, t("buy.payWallet"));
    const payArea = h("div", { class: "pay-area" });
    let key = null;
    let keyBody = "";

    const selection = () => {
      const sku = product.skus.find((s) => String(s.id) === form.elements.sku.value) || firstInStock;
      const qty = Math.max(1, Math.min(99, parseInt(quantity.value, 10) || 1));
      const coupon = coupons.find((c) => String(c.userCouponId) === couponSelect.value) || null;
      const amount = sku.price * qty;
      return { sku, qty, coupon, amount, pay: amount - (coupon ? discountFor(coupon, amount) : 0) };
    };
    const update = () => {
      const s = selection();
      total.replaceChildren(t("buy.total"), " ", h("span", { class: "price", id: "buy-total" }, money(s.pay)));
    };
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const method = (event.submitter && event.submitter.value) || "gateway";
      const s = selection();
      const body = { items: [{ skuId: s.sku.id, quantity: s.qty }] };
      if (this.roomId) body.roomId = this.roomId; // outside a room (the product page) there is none
      if (s.coupon) body.couponId = s.coupon.userCouponId;
      const signature = JSON.stringify(body);
      if (signature !== keyBody) {
        key = newKey();
        keyBody = signature;
      }
      error.textContent = "";
      payGateway.disabled = payWallet.disabled = true;
      payArea.replaceChildren(h("p", { class: "muted" }, t("buy.placing")));
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
        payGateway.disabled = payWallet.disabled = false;
      }
    });
    form.append(
      h("p", {}, h("strong", {}, product.title)),
      skus,
      h("label", { for: "buy-quantity" }, t("buy.quantity")), quantity,
      ...(coupons.length ? [h("label", { for: "buy-coupon" }, t("buy.coupon")), couponSelect] : []),
      total, error, h("div", { class: "row" }, payGateway, payWallet), payArea);
    this.body.replaceChildren(form);
    update();
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
}
