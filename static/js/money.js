// Money is integer fen on the wire; shown in yuan in the viewer's language, typed in yuan.
import { lang } from "./i18n.js";

const formats = new Map();

export function money(fen) {
  const key = lang();
  if (!formats.has(key)) formats.set(key, new Intl.NumberFormat(key, { style: "currency", currency: "CNY" }));
  return formats.get(key).format((Number(fen) || 0) / 100);
}

// "12.3" -> 1230 without floating point: the digits are split, not multiplied.
export function toFen(text) {
  const match = /^\s*(\d{1,9})(?:\.(\d{0,2}))?\s*$/.exec(String(text));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
}

export function percentBp(bp) {
  return new Intl.NumberFormat(lang(), { style: "percent", maximumFractionDigits: 2 }).format((Number(bp) || 0) / 10000);
}

export function dateTime(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(lang(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}
