// A member's tag as a chip: a manual tag by its name and colour; a rule tag by its code's label
// (crm.tag.*) with what made it (the product, the days, the figures) in its title.
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { money } from "./money.js";

export function tagLabel(tag) {
  if (tag.kind === "manual") return tag.name;
  const [family, , id] = tag.code.split(":");
  const ev = tag.evidence || {};
  if (tag.code.startsWith("rfm:")) return t(`crm.tag.${tag.code.replace(":", ".")}`);
  const product = ev.title || `#${id}`;
  return t(`crm.tag.${family}`, { product });
}

export function tagWhy(tag) {
  const ev = tag.evidence || {};
  if (tag.kind === "manual") return tag.addedBy ? t("crm.tag.addedBy", { name: tag.addedBy }) : "";
  if (tag.code === "rfm:vip") return t("crm.why.vip", { spend: money(ev.lifetimeSpend || 0), min: money(ev.vipSpend || 0) });
  if (tag.code.startsWith("rfm:")) return t("crm.why.recency", { days: ev.daysSinceLastPaid ?? "?", orders: ev.paidOrders ?? 0 });
  if (tag.code.startsWith("viewed:")) return t("crm.why.viewed", { days: ev.days, views: ev.views });
  if (tag.code.startsWith("affinity:")) return t("crm.why.affinity", { orders: ev.orders, share: Math.round((ev.shareBp || 0) / 100) });
  if (tag.code.startsWith("repurchase:")) return t("crm.why.repurchase", { days: ev.intervalDays });
  return "";
}

export function chip(tag, onRemove) {
  const el = h("li", { class: `chip ${tag.kind}`, dataset: { code: tag.code }, title: tagWhy(tag) },
    h("span", {}, tagLabel(tag)),
    onRemove && tag.kind === "manual" ? h("button", { type: "button", "aria-label": t("crm.tags.remove", { name: tag.name }),
      onclick: () => onRemove(tag) }, "×") : null);
  if (tag.colour) el.style.borderColor = tag.colour; // CSSOM, allowed by the CSP
  return el;
}
