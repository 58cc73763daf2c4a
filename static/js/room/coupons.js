// Coupon cards in the room: in the bag sheet and as a pop-up when the host drops one.
// Claiming is one POST; a refusal (all gone, limit reached) shows on the card itself.
import { errorText } from "../api.js";
import { h } from "../dom.js";
import { lang, t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { claimCoupon, couponOf } from "../promotions-api.js";

export function couponValue(coupon) {
  return coupon.kind === "percent_off"
    ? t("coupon.percent", { n: lang() === "zh-CN" ? (10 - coupon.percentOffBp / 1000).toFixed(1).replace(/\.0$/, "") : coupon.percentOffBp / 100 })
    : t("coupon.off", { amount: money(coupon.amountOff) });
}

export function couponCondition(coupon) {
  return coupon.minSpend ? t("coupon.minSpend", { amount: money(coupon.minSpend) }) : t("coupon.noThreshold");
}

export class RoomCoupons {
  constructor({ bagList, bagSection, drops, loginHref, onClaimed }) {
    this.bagList = bagList;
    this.bagSection = bagSection;
    this.drops = drops;
    this.loginHref = loginHref;
    this.onClaimed = onClaimed;
    this.coupons = new Map();
    this.held = new Map(); // coupon id -> copies this viewer holds
    this.limits = new Map(); // coupon id -> copies one viewer may hold
    this.loggedIn = false;
  }

  // The snapshot says, per coupon, how many copies this viewer holds (`yourClaims`) of how many
  // allowed (`perUserLimit`): after a reload a held coupon says "claimed", not "claim".
  set(list, loggedIn) {
    this.loggedIn = loggedIn;
    this.coupons = new Map();
    for (const raw of list || []) {
      const coupon = couponOf(raw);
      this.coupons.set(coupon.id, coupon);
      if (Number.isInteger(raw.perUserLimit)) this.limits.set(coupon.id, raw.perUserLimit);
      if (Number.isInteger(raw.yourClaims)) this.held.set(coupon.id, Math.max(raw.yourClaims, this.held.get(coupon.id) || 0));
    }
    this.render();
  }

  isClaimed(id) {
    return (this.held.get(id) || 0) >= (this.limits.get(id) || 1);
  }

  dropped(raw) {
    const coupon = couponOf(raw);
    if (coupon.id === undefined) return;
    this.coupons.set(coupon.id, coupon);
    this.render();
    const card = this.card(coupon, { popup: true });
    this.drops.append(card);
    setTimeout(() => card.remove(), 15000);
  }

  render() {
    this.bagSection.hidden = this.coupons.size === 0;
    this.bagList.replaceChildren(...[...this.coupons.values()].map((c) => this.card(c)));
  }

  card(coupon, { popup = false } = {}) {
    const error = h("p", { class: "error", role: "alert" });
    const claimed = this.isClaimed(coupon.id);
    const button = h("button", { type: "button", class: "primary small", disabled: claimed,
      "aria-label": `${claimed ? t("coupon.claimed") : t("coupon.claim")} ${coupon.title}` }, claimed ? t("coupon.claimed") : t("coupon.claim"));
    button.addEventListener("click", async () => {
      if (!this.loggedIn) {
        location.assign(this.loginHref);
        return;
      }
      button.disabled = true;
      error.textContent = "";
      try {
        await claimCoupon(coupon.id);
        this.held.set(coupon.id, (this.held.get(coupon.id) || 0) + 1);
        if (this.isClaimed(coupon.id)) {
          button.textContent = t("coupon.claimed");
          button.setAttribute("aria-label", `${t("coupon.claimed")} ${coupon.title}`);
        } else button.disabled = false; // more copies allowed: claim again
        if (popup) this.render(); // the bag's card of this coupon says "claimed" too
        this.onClaimed?.(coupon);
        if (popup) setTimeout(() => card.remove(), 1200);
      } catch (err) {
        error.textContent = errorText(err);
        button.disabled = false;
      }
    });
    const card = h("div", { class: "coupon", role: popup ? "group" : null, "aria-label": popup ? t("coupon.new") : null },
      h("span", { class: "value" }, couponValue(coupon)),
      h("span", { class: "cond" }, coupon.title),
      h("span", { class: "cond" }, couponCondition(coupon), coupon.validTo ? ` · ${t("coupon.validUntil", { time: dateTime(coupon.validTo) })}` : ""),
      button, error);
    return card;
  }
}
