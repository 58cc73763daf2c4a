// The member card: my tier with a host, what this window counts, "再消费 ¥X 升级" and
// "再消费 ¥X 保级", the tier's benefits and member-day red packets to open. Shown on a host's
// product page and room (mountMemberCard) and in /me for every host (mountMemberships).
import { api } from "./api.js";
import { act, h } from "./dom.js";
import { onLangChange, t } from "./i18n.js";
import { dateTime, money } from "./money.js";
import { me } from "./session.js";

function benefitText(b) {
  if (b.kind === "voucher") return t("tier.benefit.voucher");
  if (b.kind === "red_packet") return t("tier.benefit.redPacket", { amount: money(b.amount) });
  return t("tier.benefit.memberPrice", { count: b.prices.length });
}

function progress(m) {
  if (!m.nextTier) return h("p", { class: "muted" }, t("tier.top"));
  return h("p", {}, t("tier.toUpgrade", { amount: money(m.toUpgrade), tier: m.nextTier.name }));
}

function keeping(m) {
  if (!m.tier || !m.keepBy) return null;
  if (m.toKeep <= 0) return h("p", { class: "muted" }, t("tier.kept", { date: dateTime(m.keepBy) }));
  return h("p", {}, t("tier.toKeep", { amount: money(m.toKeep), tier: m.tier.name, date: dateTime(m.keepBy) }));
}

export function renderCard(m, reload) {
  const span = m.window === "days" ? t("tier.window.days", { days: m.days }) : t(`tier.window.${m.window}`);
  const packets = m.sealedPackets > 0
    ? h("div", { class: "row" },
      h("span", {}, t("tier.packets", { count: m.sealedPackets, amount: money(m.sealedAmount) })),
      h("button", { type: "button", class: "small primary", onclick: (event) => act(event.target, event.target.nextElementSibling, async () => {
        await api(`/api/hosts/${m.hostId}/membership/packets/open`, { method: "POST" });
        await reload();
      }) }, t("tier.open")), h("span", { class: "error", role: "alert" }))
    : null;
  return h("section", { class: "card member-card", "aria-label": t("tier.cardOf", { host: m.hostName }), dataset: { hostId: String(m.hostId) } },
    h("div", { class: "row spread" },
      h("h3", {}, m.hostName),
      h("span", { class: "badge", dataset: { tier: m.tier ? m.tier.code : "" } }, m.tier ? m.tier.name : t("tier.none"))),
    h("p", { class: "muted" }, `${span} · ${t("tier.growth", { amount: money(m.windowGrowth) })}`),
    progress(m),
    keeping(m),
    m.benefits.length ? h("ul", { class: "benefits" }, m.benefits.map((b) => h("li", {}, benefitText(b)))) : null,
    packets);
}

// One host's card in `region` (hidden when the host has no tiers or nobody is logged in).
export async function mountMemberCard(region, hostId) {
  if (!region || !hostId || !(await me())) return;
  const load = async () => {
    try {
      const m = await api(`/api/hosts/${hostId}/membership`);
      region.hidden = m.window === "none";
      region.replaceChildren(renderCard(m, load));
    } catch {
      region.hidden = true;
    }
  };
  onLangChange(load);
  await load();
}

// Every host I am a member of, in `region` (/me).
export async function mountMemberships(region, emptyRegion) {
  if (!region) return;
  const load = async () => {
    const list = await api("/api/me/memberships");
    const cards = list.items.filter((m) => m.window !== "none");
    region.replaceChildren(...cards.map((m) => renderCard(m, load)));
    if (emptyRegion) emptyRegion.hidden = cards.length > 0;
  };
  onLangChange(load);
  await load();
}
