// The room's coupons and red packets with where each stands (GET /api/host/coupons and
// /api/host/red-packets, filtered by room): drafts, live, sold out; claimed and used copies.
import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money } from "../money.js";

export class RoomPromotions {
  constructor({ roomId, coupons, packets }) {
    Object.assign(this, { roomId, couponList: coupons, packetList: packets });
    this.coupons = [];
    this.packets = [];
    this.pending = null;
  }

  // Coalesces bursts (a drop and its events) into one reload.
  refresh() {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => this.load().catch(() => {}), 300);
  }

  async load() {
    const [coupons, packets] = await Promise.all([
      api(`/api/host/coupons?roomId=${this.roomId}&limit=10`),
      api(`/api/host/red-packets?roomId=${this.roomId}&limit=10`),
    ]);
    this.coupons = coupons.items;
    this.packets = packets.items;
    this.render();
  }

  render() {
    const line = (title, state, kind, counts) => h("li", { dataset: { state } },
      h("span", { class: `badge ${state === "live" || state === "active" ? "live" : state === "draft" ? "upcoming" : "ended"}` }, t(`${kind}.${state}`)),
      h("span", { class: "grow" }, title), h("span", { class: "muted" }, counts));
    this.couponList.replaceChildren(...(this.coupons.length ? this.coupons.map((c) => line(c.title, c.state, "couponState",
      t("console.couponCounts", { claimed: c.claimed, quota: c.quota, used: c.used })))
      : [h("li", { class: "empty" }, t("console.nothingYet"))]));
    this.packetList.replaceChildren(...(this.packets.length ? this.packets.map((p) => line(p.greeting || money(p.totalAmount), p.state, "packetState",
      t("console.packetCounts", { n: p.claimedCount, count: p.count, amount: money(p.claimedAmount) })))
      : [h("li", { class: "empty" }, t("console.nothingYet"))]));
  }
}
