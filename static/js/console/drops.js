// Drop a coupon into the room and send a red packet (the promotions API; see promotions-api.js).
import { act } from "../dom.js";
import { t } from "../i18n.js";
import { money, toFen } from "../money.js";
import { createCoupon, sendRedPacket } from "../promotions-api.js";

export function couponForm(form, roomId, error, ok) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ok.textContent = "";
    act(event.submitter, error, async () => {
      const amountOff = toFen(form.amountOff.value);
      const minSpend = toFen(form.minSpend.value || "0");
      if (!amountOff || minSpend === null) throw { code: "validation_error", detail: t("console.amountOff") };
      const coupon = await createCoupon(roomId, {
        title: form.title.value.trim(), kind: "amount_off", amountOff, minSpend,
        quota: parseInt(form.quota.value, 10) || 1, validMinutes: parseInt(form.validMinutes.value, 10) || 1440, drop: true,
      });
      ok.textContent = `${t("console.done")}: ${coupon.title || ""} −${money(amountOff)}`;
    });
  });
}

export function redPacketForm(form, roomId, error, ok) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ok.textContent = "";
    act(event.submitter, error, async () => {
      const totalAmount = toFen(form.total.value);
      const count = parseInt(form.count.value, 10);
      if (!totalAmount || !(count >= 1)) throw { code: "validation_error", detail: `${t("console.rpTotal")} / ${t("console.rpCount")}` };
      await sendRedPacket(roomId, { totalAmount, count, split: form.lucky.checked ? "lucky" : "equal", greeting: form.greeting.value });
      ok.textContent = `${t("console.done")}: ${money(totalAmount)} × ${count}`;
    });
  });
}
