// My coupons: what each is worth, its condition, validity and status.
import { $, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime } from "../money.js";
import { couponOf, myCoupons } from "../promotions-api.js";
import { couponCondition, couponValue } from "../room/coupons.js";
import { requireLogin } from "../session.js";

let items = [];

function render() {
  const box = $("#coupons");
  if (!items.length) {
    box.replaceChildren(h("p", { class: "empty" }, t("coupon.none")));
    return;
  }
  box.replaceChildren(...items.map((uc) => {
    const coupon = couponOf(uc);
    const status = uc.status || "available";
    return h("article", { class: `card coupon-card ${status}` },
      h("div", { class: "value" }, couponValue(coupon)),
      h("h3", {}, coupon.title),
      h("div", { class: "muted" }, couponCondition(coupon)),
      uc.validUntil ? h("div", { class: "muted" }, t("coupon.validUntil", { time: dateTime(uc.validUntil) })) : null,
      h("span", { class: "badge" }, t(`coupon.status.${status}`)));
  }));
}

await boot();
if (await requireLogin()) {
  onLangChange(render);
  try {
    const page = await myCoupons();
    items = page.items || page || [];
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}
