// The distribution settings as a form: every DistributionConfig field with its label, its unit
// (¥ for fen, % for basis points) and a check of its own range; the laws between fields (the
// rates within the cap, the cap within what the platform fee leaves) are the server's, shown
// next to the field it names. Also how a setting's value reads in the audit.
import { t } from "../i18n.js";
import { money } from "../money.js";

export const ENUMS = {
  signup: ["", "open", "approval"],
  bindingMode: ["first_touch", "last_touch", "register_only"],
  clawbackPolicy: ["allow_negative", "cap_at_balance", "carry_debt"],
};

// The order of the form (and of a change's lines).
export const FIELDS = ["signup", "levels", "levelRatesBp", "rateCapBp", "bindingMode", "bindingExpiryDays",
  "selfPurchaseCommission", "clawbackPolicy", "withdrawalMin", "withdrawalFeeBp"];

// "12.5" (%) -> 1250 basis points, whole digits only (no floating point); null if not a percent.
export function toBp(text) {
  const match = /^\s*(\d{1,3})(?:\.(\d{0,2}))?\s*%?\s*$/.exec(String(text));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
}

export const bpText = (bp) => String(bp / 100);
export const yuanText = (fen) => (fen / 100).toFixed(2);

// One field's value as the audit shows it, with its unit.
export function shown(field, value) {
  if (value === undefined) return t("admin.diff.none");
  if (field === "signup") return t(`admin.settings.signup.${value || "env"}`);
  if (field === "bindingExpiryDays") return value === null ? t("admin.settings.permanent") : t("admin.settings.days", { n: value });
  if (field === "levelRatesBp") return (value || []).map((bp, i) => t("admin.settings.levelRate", { n: i + 1, rate: `${bpText(bp)}%` })).join("，");
  if (field === "withdrawalMin") return money(value);
  if (field.endsWith("Bp")) return `${bpText(value)}%`;
  if (typeof value === "boolean") return t(value ? "admin.yes" : "admin.no");
  if (ENUMS[field]) return t(`admin.settings.${field}.${value}`);
  return String(value);
}

// The server's problem names a field as `levels`, `$.levelRatesBp[1]` or `data.withdrawalMin`:
// the setting it is about, or null.
export function fieldOf(name) {
  if (!name) return null;
  const clean = String(name).replace(/^\$\.?/, "").replace(/^data\.?/, "").split(/[.[]/)[0];
  return FIELDS.includes(clean) ? clean : null;
}
