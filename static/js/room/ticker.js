// The purchase ticker: "张** bought Tea ×1", a few at a time, each for a few seconds.
import { h } from "../dom.js";
import { t } from "../i18n.js";

export class Ticker {
  constructor(region) {
    this.region = region;
    this.seen = 0;
  }

  purchase(event) {
    const item = h("div", { class: "item" },
      t("room.purchase", { buyer: event.buyer || "**", product: event.product || "", quantity: event.quantity || 1 }));
    this.region.append(item);
    this.seen += 1;
    this.region.dataset.seen = String(this.seen); // the ticker fades; the count stays
    while (this.region.children.length > 3) this.region.firstElementChild.remove();
    setTimeout(() => item.remove(), 6000);
  }
}
