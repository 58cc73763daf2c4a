// Buying without leaving the room: pick a SKU, a quantity, a coupon and where it ships, place
// the order (with an Idempotency-Key kept while the body stays the same, so a double tap or a
// retry is one order), then pay from the wallet or on the gateway's page shown inside the sheet.
// Prices come from the server's quote (POST /api/checkout/quote), asked again whenever the
// selection changes: the sheet shows exactly what the order will charge (original price,
// discount, total), with the buyer's best coupon picked until the buyer picks.
// Before anything is placed the sheet checks what it can: the stock ("only 2 left"), and for a
// wallet payment the balance (too little: pay on the gateway instead, or top up first). An
// order that is placed but not paid is never left silently: it stays on the sheet as 待付款
// with its pay and cancel buttons, also when the sheet is opened again.
import { api, errorText, newKey } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { frameSrc } from "../pay-frame.js";
import { PointsToggle } from "../points.js";
import { quote } from "../promotions-api.js";
import { AddressPicker } from "./buy-address.js";
import { sheet } from "./sheets.js";

const POLL_MS = 1000;
const QUOTE_DEBOUNCE_MS = 150;
// A coupon the server names but can't use with this selection (stale list): drop it, price without.
const COUPON_REFUSALS = new Set(["not_found", "coupon_unavailable", "coupon_expired", "coupon_not_applicable",
  "coupon_not_yet_valid", "coupon_threshold_not_met"]);

// "Sold out", or "only N left" when some are: what an out_of_stock problem (or a stale sheet) means.
export function stockText(available) {
  return available > 0 ? t("buy.onlyLeft", { n: available }) : t("errors.out_of_stock");
}

export class BuySheet {
  constructor(dialog, body, { roomId, loginHref }) {
    this.body = body;
    this.roomId = roomId;
    this.loginHref = loginHref;
    this.loggedIn = false;
    this.poller = null;
    this.quoteTimer = null;
    this.pending = null; // an order this sheet placed that is not paid yet
    this.onOpen = null; // told which product the sheet opens for (the group buy's offer, 拼团)
    this.sheet = sheet(dialog, { onClose: () => {
      this.stopPolling();
      this.stopQuoting();
    } });
  }

  async open(item) {
    this.stopPolling();
    this.stopQuoting();
    this.sheet.open();
    this.onOpen?.(item);
    if (!this.loggedIn) {
      this.body.replaceChildren(h("p", {}, t("buy.loginFirst")), h("a", { class: "button primary", href: this.loginHref }, t("nav.login")));
      return;
    }
    this.body.replaceChildren(h("p", { class: "muted" }, t("common.loading")));
    let product;
    try {
      product = await api(`/api/products/${item.id}`);
    } catch (err) {
      this.body.replaceChildren(h("p", { class: "error", role: "alert" }, errorText(err)));
      return;
    }
    await this.render(product);
  }

  async render(product) {
    const error = h("p", { class: "error", role: "alert" });
    const form = h("form", { class: "buy-form", novalidate: true });
    const picker = new AddressPicker();
    const firstInStock = product.skus.find((s) => s.stock > 0) || product.skus[0];
    const thumb = h("img", { class: "buy-thumb", alt: "", hidden: true });
    const skus = h("fieldset", { class: "sku-options" }, h("legend", { class: "visually-hidden" }, t("buy.sku")),
      product.skus.map((sku) => h("label", {},
        h("input", { type: "radio", name: "sku", value: String(sku.id), checked: sku.id === firstInStock.id }),
        `${sku.name} · ${money(sku.price)}`, sku.stock <= 0 ? ` (${t("room.soldOut")})` : "")));
    const quantity = h("input", { id: "buy-quantity", name: "quantity", type: "number", min: "1", max: "99", value: "1", inputmode: "numeric" });
    const stockNote = h("p", { class: "stock-note", id: "buy-stock", role: "status" });
    // Filled from the quote: the buyer's usable coupons of this host, hidden while there are none.
    const couponLabel = h("label", { for: "buy-coupon", hidden: true }, t("buy.coupon"));
    const couponSelect = h("select", { id: "buy-coupon", name: "coupon", hidden: true, "aria-describedby": "buy-coupon-note" },
      h("option", { value: "" }, t("buy.noCoupon")));
    const couponNote = h("p", { class: "muted", id: "buy-coupon-note", role: "status", hidden: true });
    const original = h("dd", { id: "buy-original" }, "…");
    const discount = h("dd", { id: "buy-discount" });
    const discountRow = h("div", { id: "buy-discount-row", hidden: true }, h("dt", {}, t("buy.discount")), discount);
    const lines = h("dl", { class: "buy-lines", id: "buy-breakdown" },
      h("div", {}, h("dt", {}, t("buy.original")), original), discountRow);
    const totalValue = h("span", { class: "price", id: "buy-total" }, "…");
    const total = h("div", { class: "buy-total", "aria-live": "polite", "aria-busy": "true" }, t("buy.total"), " ", totalValue);
    const balance = h("p", { class: "muted", id: "buy-balance", hidden: true });
    const payGateway = h("button", { type: "submit", class: "primary", value: "gateway" }, t("buy.payGateway"));
    const payWallet = h("button", { type: "submit", value: "wallet" }, t("buy.payWallet"));
    const payArea = h("div", { class: "pay-area" });
    const pendingArea = h("div", { class: "pending-area" });
    let key = null;
    let keyBody = "";
    let coupons = []; // the last quote's list
    let listed = ""; // what the coupon options show now (rebuilt only when it changes)
    let chosen = false; // the buyer picked a coupon (or none) themselves: stop picking the best
    let quoting = false; // the shown total is not the current selection's yet
    let priced = ""; // the selection the last quote was asked for
    let lastQuote = null;
    let placing = false;
    let asked = 0; // the latest quote asked for: older answers are dropped
    // Member points of this host: offered on what the quote leaves to pay (members' points.js).
    const pointsToggle = new PointsToggle(() => showTotal());
    const showTotal = () => {
      if (!lastQuote) return;
      const off = lastQuote.discountAmount + pointsToggle.discount();
      totalValue.textContent = money(lastQuote.payAmount - pointsToggle.discount());
      discount.textContent = `−${money(off)}`;
      discountRow.hidden = !(off > 0);
    };

    const selection = () => {
      const sku = product.skus.find((s) => String(s.id) === form.elements.sku.value) || firstInStock;
      const qty = Math.max(1, Math.min(99, parseInt(quantity.value, 10) || 1));
      const userCouponId = couponSelect.value ? Number(couponSelect.value) : null;
      return { sku, qty, userCouponId, items: [{ skuId: sku.id, quantity: qty }] };
    };
    const short = () => {
      const s = selection();
      return s.qty > s.sku.stock;
    };
    const buttons = () => {
      payGateway.disabled = payWallet.disabled = placing || short();
    };
    const showSku = () => {
      const s = selection();
      const picture = s.sku.thumbUrl || s.sku.imageUrl || product.thumbUrl || product.imageUrl;
      thumb.hidden = !picture;
      if (picture) thumb.src = picture;
      stockNote.textContent = short() ? stockText(s.sku.stock) : "";
      buttons();
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
      lastQuote = q;
      original.textContent = money(q.totalAmount);
      showTotal();
      pointsToggle.update(product.hostId, q.payAmount);
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
        lastQuote = null;
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
    const showBalance = async () => {
      try {
        const wallet = await api("/api/me/wallet");
        balance.textContent = t("buy.balance", { amount: money(wallet.available) });
        balance.hidden = false;
        return wallet.available;
      } catch {
        return null;
      }
    };
    const done = () => {
      placing = false;
      buttons();
    };

    // The stock as it is now (the sheet's copy may be minutes old): refused before placing.
    const stillInStock = async (s) => {
      const fresh = await api(`/api/products/${product.id}`);
      for (const sku of fresh.skus) {
        const mineSku = product.skus.find((x) => x.id === sku.id);
        if (mineSku) mineSku.stock = sku.stock;
      }
      showSku();
      return s.sku.stock >= s.qty;
    };

    const submit = async (method) => {
      if (placing) return;
      error.textContent = "";
      placing = true;
      buttons();
      payArea.replaceChildren(h("p", { class: "muted" }, t("buy.placing")));
      try {
        if (quoting) {
          // Paying before the change's total is shown (a tap right after typing): price it first,
          // so what is ordered is what the sheet shows (with the best coupon, if it picks one).
          this.stopQuoting();
          await ask();
        }
        await pointsToggle.ready; // the points offer of the total shown
        const s = selection();
        if (!(await stillInStock(s))) {
          payArea.replaceChildren();
          error.textContent = stockText(s.sku.stock);
          return done();
        }
        if (method === "wallet" && lastQuote) {
          const available = await showBalance();
          const due = lastQuote.payAmount - pointsToggle.discount();
          if (available !== null && available < due) {
            this.offerOtherWays(payArea, available, due, submit);
            return done();
          }
        }
        let addressId;
        try {
          addressId = await picker.addressId();
        } catch (err) {
          payArea.replaceChildren();
          error.textContent = err.code === "address_invalid" ? t("buy.addressMissing") : errorText(err);
          return done();
        }
        const body = { items: s.items, addressId };
        if (this.roomId) body.roomId = this.roomId; // outside a room (the product page) there is none
        if (s.userCouponId) body.userCouponId = s.userCouponId;
        if (pointsToggle.points()) body.points = pointsToggle.points();
        const signature = JSON.stringify(body);
        if (signature !== keyBody) {
          key = newKey();
          keyBody = signature;
        }
        let order;
        try {
          order = await api("/api/orders", { method: "POST", body, idempotencyKey: key });
        } catch (err) {
          payArea.replaceChildren();
          error.textContent = err.code === "out_of_stock" ? stockText(err.body?.available ?? 0) : errorText(err);
          if (err.code === "out_of_stock" && err.body && typeof err.body.available === "number") {
            s.sku.stock = err.body.available;
            showSku();
          }
          return done();
        }
        key = null; // the next purchase is a new order
        keyBody = "";
        this.pending = order;
        await this.pay(order, method, payArea, pendingArea, error);
      } catch (err) {
        payArea.replaceChildren();
        error.textContent = errorText(err);
      }
      done();
    };

    couponSelect.addEventListener("change", () => {
      chosen = true;
    });
    form.addEventListener("input", (event) => {
      if (event.target.closest(".buy-address")) return; // typing an address changes no price
      showSku();
      requote();
    });
    form.addEventListener("change", (event) => {
      if (event.target.closest(".buy-address")) return;
      showSku();
      requote();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submit((event.submitter && event.submitter.value) || "gateway");
    });
    form.append(
      pendingArea,
      h("div", { class: "buy-product" }, thumb, h("p", {}, h("strong", {}, product.title))),
      skus,
      h("label", { for: "buy-quantity" }, t("buy.quantity")), quantity, stockNote,
      picker.element,
      couponLabel, couponSelect, couponNote, pointsToggle.element,
      lines, total, balance, error, h("div", { class: "row" }, payGateway, payWallet), payArea);
    this.body.replaceChildren(form);
    showSku();
    requote(0);
    form.querySelector("input[name=sku]:checked")?.focus();
    await Promise.all([picker.load(), this.showPending(pendingArea, payArea, error), showBalance()]);
  }

  // Pay the placed order; if that fails the order stays on the sheet, unpaid, with its buttons.
  async pay(order, method, payArea, pendingArea, error) {
    let payment;
    try {
      payment = await api(`/api/orders/${order.id}/pay`, { method: "POST", body: { method } });
    } catch (err) {
      payArea.replaceChildren();
      error.textContent = errorText(err);
      await this.showPending(pendingArea, payArea, error);
      return;
    }
    if (payment.order && payment.order.status !== "pending_payment") this.paid(payment.order, payArea, pendingArea);
    else this.payOnGateway(payment.order || order, payment.payUrl, payArea, pendingArea, error);
  }

  // Too little in the wallet: pay on the gateway instead, or top up the difference first (then
  // the wallet pays by itself once the top-up lands).
  offerOtherWays(payArea, available, need, submit) {
    const missing = need - available;
    const gateway = h("button", { type: "button", class: "primary", id: "buy-use-gateway", onclick: () => submit("gateway") }, t("buy.useGateway"));
    const topUp = h("button", { type: "button", id: "buy-topup", onclick: () => this.topUp(missing, need, payArea, submit) },
      t("buy.topUpAndPay", { amount: money(missing) }));
    payArea.replaceChildren(h("div", { class: "short", id: "buy-short", role: "status" },
      h("p", {}, t("buy.short", { balance: money(available), need: money(need) })), h("div", { class: "row" }, gateway, topUp)));
    gateway.focus();
  }

  async topUp(amount, need, payArea, submit) {
    let started;
    try {
      started = await api("/api/me/wallet/topup", { method: "POST", body: { amount } });
    } catch (err) {
      payArea.replaceChildren(h("p", { class: "error" }, errorText(err)));
      return;
    }
    const frame = h("iframe", { class: "pay-frame", src: frameSrc(started.payUrl), title: t("buy.payFrame") });
    payArea.replaceChildren(h("p", { class: "notice", role: "status" }, t("buy.toppingUp")), frame);
    frame.scrollIntoView({ block: "end", behavior: "smooth" });
    this.stopPolling();
    this.poller = setInterval(async () => {
      try {
        const wallet = await api("/api/me/wallet");
        if (wallet.available >= need) {
          this.stopPolling();
          submit("wallet");
        }
      } catch {
        // keep asking: the top-up lands when the gateway's callback does
      }
    }, POLL_MS);
  }

  // An order of this sheet still waiting for its money: 待付款, with pay and cancel buttons.
  async showPending(pendingArea, payArea, error) {
    const order = this.pending;
    if (!order) {
      pendingArea.replaceChildren();
      return;
    }
    let fresh;
    try {
      fresh = await api(`/api/orders/${order.id}`);
    } catch {
      fresh = order;
    }
    if (fresh.status !== "pending_payment") {
      this.pending = null;
      pendingArea.replaceChildren();
      return;
    }
    const payBy = (method) => async (event) => {
      event.currentTarget.disabled = true;
      error.textContent = "";
      await this.pay(fresh, method, payArea, pendingArea, error);
    };
    const cancel = async (event) => {
      event.currentTarget.disabled = true;
      try {
        await api(`/api/orders/${fresh.id}/cancel`, { method: "POST", body: {} });
        this.pending = null;
        this.stopPolling();
        payArea.replaceChildren();
        pendingArea.replaceChildren(h("p", { class: "notice", role: "status" }, t("buy.cancelled", { id: fresh.id })));
      } catch (err) {
        error.textContent = errorText(err);
      }
    };
    pendingArea.replaceChildren(h("div", { class: "pending", id: "buy-pending" },
      h("p", {}, h("span", { class: "badge", dataset: { status: "pending_payment" } }, t("status.pending_payment")), " ",
        t("buy.pending", { id: fresh.id, amount: money(fresh.payAmount), time: dateTime(fresh.paymentDeadline) })),
      h("div", { class: "row" },
        h("button", { type: "button", class: "small primary", onclick: payBy("gateway") }, t("buy.pendingPay")),
        h("button", { type: "button", class: "small", onclick: payBy("wallet") }, t("orders.payWallet")),
        h("button", { type: "button", class: "small danger", onclick: cancel }, t("orders.cancel")),
        h("a", { class: "button small", href: `/me/orders/${fresh.id}` }, t("orders.details")))));
  }

  payOnGateway(order, payUrl, payArea, pendingArea, error) {
    const frame = h("iframe", { class: "pay-frame", src: frameSrc(payUrl), title: t("buy.payFrame") });
    payArea.replaceChildren(h("p", { class: "notice" }, t("buy.paying")), frame);
    frame.scrollIntoView({ block: "end", behavior: "smooth" }); // on a phone it opens below the fold
    this.stopPolling();
    this.poller = setInterval(async () => {
      try {
        const fresh = await api(`/api/orders/${order.id}`);
        if (fresh.status !== "pending_payment") {
          this.stopPolling();
          this.paid(fresh, payArea, pendingArea);
        }
      } catch (err) {
        error.textContent = errorText(err);
      }
    }, POLL_MS);
  }

  paid(order, payArea, pendingArea) {
    this.pending = null;
    pendingArea.replaceChildren();
    const done = h("div", { class: "notice", role: "status", id: "buy-paid" }, t("buy.paid", { id: order.id }), " ",
      h("a", { href: `/me/orders/${order.id}` }, t("orders.details")));
    payArea.replaceChildren(done);
    done.scrollIntoView({ block: "nearest" });
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
