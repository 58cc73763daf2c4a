// The host's showcase: order (up/down), add/remove, pin (讲解) and new products.
import { api } from "../api.js";
import { act, h } from "../dom.js";
import { t } from "../i18n.js";
import { money, toFen } from "../money.js";

export class ShowcaseEditor {
  constructor({ roomId, hostId, list, products, error, form, formError }) {
    Object.assign(this, { roomId, hostId, list, products, error });
    this.items = [];
    this.all = [];
    this.pinnedId = null;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(event.submitter, formError, async () => {
        const price = toFen(form.price.value);
        const stock = parseInt(form.stock.value, 10);
        if (!price || !(stock >= 0)) throw { code: "validation_error", detail: `${t("console.price")} / ${t("console.stock")}` };
        const product = await api("/api/products", { method: "POST", body: { title: form.title.value.trim(), skus: [{ name: "默认", price, stock }] } });
        form.reset();
        await this.loadProducts();
        await this.save([...this.items.map((p) => p.id), product.id]);
      });
    });
  }

  set(showcase, pinnedId) {
    this.items = showcase;
    this.pinnedId = pinnedId;
    this.render();
  }

  async loadProducts() {
    this.all = (await api(`/api/products?hostId=${this.hostId}&includeOffShelf=true&limit=100`)).items;
    this.render();
  }

  async save(ids, button) {
    return act(button, this.error, async () => {
      this.items = await api(`/api/rooms/${this.roomId}/products`, { method: "PUT", body: { productIds: ids } });
      if (!ids.includes(this.pinnedId)) this.pinnedId = null;
      this.render();
    });
  }

  async pin(productId, button) {
    return act(button, this.error, async () => {
      await api(`/api/rooms/${this.roomId}/pin`, { method: "POST", body: { productId } });
      this.pinnedId = productId;
      this.render();
    });
  }

  move(index, delta, button) {
    const ids = this.items.map((p) => p.id);
    const [id] = ids.splice(index, 1);
    ids.splice(Math.max(0, Math.min(ids.length, index + delta)), 0, id);
    this.save(ids, button);
  }

  render() {
    const ids = this.items.map((p) => p.id);
    const button = (key, label, fn, attrs = {}) => {
      const b = h("button", { type: "button", class: "small", "aria-label": `${t(key)}: ${label}`, ...attrs }, t(key));
      b.addEventListener("click", () => fn(b));
      return b;
    };
    this.list.replaceChildren(...this.items.map((p, i) => {
      const pinned = p.id === this.pinnedId;
      return h("li", { class: pinned ? "pinned" : "", dataset: { productId: p.id } },
        h("span", { class: "grow" }, `${i + 1}. ${p.title}`), h("span", { class: "muted" }, money(p.minPrice)),
        button("console.up", p.title, (b) => this.move(i, -1, b), { disabled: i === 0 }),
        button("console.down", p.title, (b) => this.move(i, 1, b), { disabled: i === this.items.length - 1 }),
        pinned ? button("console.unpin", p.title, (b) => this.pin(null, b), { class: "small primary" })
          : button("console.pin", p.title, (b) => this.pin(p.id, b)),
        button("console.remove", p.title, (b) => this.save(ids.filter((x) => x !== p.id), b)));
    }));
    const rest = this.all.filter((p) => !ids.includes(p.id));
    this.products.replaceChildren(...rest.map((p) => h("li", {},
      h("span", { class: "grow" }, p.title), h("span", { class: "muted" }, money(p.minPrice)),
      button("console.add", p.title, (b) => this.save([...ids, p.id], b)))));
  }
}
