// A commission in words: when it should reach the wallet (settleRule/settlesAt from the API)
// and why it is what it is (whose order, what a refund took back).
import { t } from "../i18n.js";
import { dateTime, money } from "../money.js";

export function settleText(c) {
  const at = c.settlesAt ? dateTime(c.settlesAt) : "";
  switch (c.settleRule) {
    case "after_sales": return t("dist.settle.after_sales", { date: at });
    case "settled": return t("dist.settle.settled", { date: at });
    case "refund_open": return t("dist.settle.refund_open");
    case "next_batch": return t("dist.settle.next_batch");
    case "reversed": return t("dist.settle.reversed");
    case "after_receipt": return t("dist.settle.after_receipt");
    default: return "";
  }
}

export function reasonText(c) {
  const refund = money(c.itemRefunded || 0);
  const reversed = money(c.reversedAmount || 0);
  if (c.status === "reversed") return t("dist.reason.reversed", { refund });
  if (c.reversedAmount > 0 && c.status === "settled") return t("dist.reason.clawedBack", { refund, reversed });
  if (c.reversedAmount > 0) return t("dist.reason.partial", { refund, reversed });
  return c.level === 1 ? t("dist.reason.direct") : t("dist.reason.team", { n: c.level });
}
