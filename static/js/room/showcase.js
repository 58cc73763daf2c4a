// The pinned "讲解中" card on the stage and the shopping bag sheet (showcase + coupons).
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money } from "../money.js";

// The 400 px thumbnail the server made (`thumbUrl`), else the picture itself (an external one).
const thumbOf = (item) => item.thumbUrl || item.image || "";

export class Showcase {
  constructor({ pinned, bagList, bagCount, onBuy }) {
    this.pinnedEl = pinned;
    this.bagList = bagList;
    this.bagCount = bagCount;
    this.onBuy = onBuy;
    this.items = [];
    this.pinned = null;
    pinned.querySelector("#pinned-buy").addEventListener("click", () => this.pinned && onBuy(this.pinned));
  }

  set(items, pinned) {
    this.items = items || [];
    this.pin(pinned);
  }

  pin(product) {
    this.pinned = product || null;
    const el = this.pinnedEl;
    el.hidden = !product;
    if (product) {
      el.querySelector("#pinned-title").textContent = product.title;
      el.querySelector("#pinned-price").textContent = money(product.minPrice);
      const img = el.querySelector("#pinned-img");
      const picture = thumbOf(product);
      img.hidden = !picture;
      if (picture) img.src = picture;
      el.querySelector("#pinned-buy").setAttribute("aria-label", `${t("room.buy")}: ${product.title}`);
    }
    this.render();
  }

  render() {
    this.bagCount.textContent = this.items.length ? String(this.items.length) : "";
    if (!this.items.length) {
      this.bagList.replaceChildren(h("li", { class: "empty" }, t("room.showcaseEmpty")));
      return;
    }
    this.bagList.replaceChildren(...this.items.map((item, index) => {
      const soldOut = item.stock <= 0;
      const isPinned = this.pinned && this.pinned.id === item.id;
      return h("li", { class: isPinned ? "is-pinned" : "" },
        thumbOf(item) ? h("img", { class: "thumb", src: thumbOf(item), alt: "", loading: "lazy", decoding: "async" }) : h("span", { class: "thumb", "aria-hidden": "true" }, String(index + 1)),
        h("div", {},
          h("div", {}, isPinned ? h("span", { class: "badge live" }, t("room.explaining")) : null, " ", item.title),
          h("div", { class: "price" }, money(item.minPrice)),
          h("div", { class: "muted" }, soldOut ? t("room.soldOut") : t("room.stock", { n: item.stock }))),
        h("button", { type: "button", class: "primary small", "aria-label": `${t("room.buy")}: ${item.title}`,
          onclick: () => this.onBuy(item) }, t("room.buy")));
    }));
  }
}
