// Member points on the pages: the buy sheet's "使用积分抵扣 ¥X" toggle, and the words for a
// points movement. The server works out what points may do (GET /api/me/points?hostId=&amount=,
// the same rules placing the order applies), so the sheet never prices points itself.
import { api } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { money } from "./money.js";

export const myPoints = (hostId, amount = null) =>
  api(`/api/me/points?hostId=${encodeURIComponent(hostId)}${amount == null ? "" : `&amount=${encodeURIComponent(amount)}`}`);
export const myPointsHosts = () => api("/api/me/points/hosts");
export const myPointsEntries = (hostId, cursor = null) =>
  api(`/api/me/points/entries?hostId=${encodeURIComponent(hostId)}&limit=50${cursor ? `&cursor=${cursor}` : ""}`);
export const pointsSettings = () => api("/api/host/points-settings");
export const savePointsSettings = (body) => api("/api/host/points-settings", { method: "PUT", body });

// "订单 #12 获得积分 (冻结)" and the like: a history line in the viewer's language.
export function entryText(e) {
  return t(`points.reason.${e.reason}`, { order: e.orderId ?? "" }) + (e.account === "frozen" ? ` · ${t("points.frozen")}` : "");
}

// The buy sheet's toggle: hidden until the buyer has points this order may use; `onChange` runs
// when it is ticked or the offer changes, so the sheet can show the new total.
export class PointsToggle {
  constructor(onChange) {
    this.offer = null;
    this.asked = 0;
    this.onChange = onChange;
    this.box = h("input", { type: "checkbox", id: "buy-points", name: "points" });
    this.text = h("span", { id: "buy-points-text" });
    this.element = h("label", { class: "buy-points", for: "buy-points", hidden: true }, this.box, " ", this.text);
    this.box.addEventListener("change", (event) => {
      event.stopPropagation(); // not a change of the items: the quote stays as it is
      this.onChange();
    });
    this.box.addEventListener("input", (event) => event.stopPropagation());
    this.ready = Promise.resolve();
  }

  // The offer for an order of `hostId` still due `due` fen (the quote's payAmount); `ready`
  // settles once the latest one is shown.
  update(hostId, due) {
    this.ready = this.load(hostId, due);
    return this.ready;
  }

  async load(hostId, due) {
    const mine = ++this.asked;
    let offer = null;
    try {
      offer = (await myPoints(hostId, due)).offer;
    } catch {
      offer = null; // no points shown is better than a wrong figure
    }
    if (mine !== this.asked) return;
    this.offer = offer && offer.points > 0 ? offer : null;
    this.element.hidden = !this.offer;
    if (this.offer) this.text.textContent = t("points.use", { points: this.offer.points, amount: money(this.offer.discount) });
    else this.box.checked = false;
    this.onChange();
  }

  points() {
    return this.offer && this.box.checked ? this.offer.points : 0;
  }

  discount() {
    return this.offer && this.box.checked ? this.offer.discount : 0;
  }
}
