// The host's flash sales (秒杀) in the console: pick a showcase SKU, the flash price, quantity,
// per-person limit, countdown and window; a price no lower than the SKU's 30-day low is warned
// about (409 flash_price_not_lowest) and made only when the host presses "仍然开始". The list
// shows each sale's phase and what is left, refreshed by the room's flash events.
import { api } from "../api.js";
import { act, h } from "../dom.js";
import { t } from "../i18n.js";
import { money, toFen } from "../money.js";

export class FlashPanel {
  constructor({ roomId, form, list, error, ok }) {
    this.roomId = roomId;
    this.form = form;
    this.list = list;
    this.error = error;
    this.ok = ok;
    this.sales = [];
    this.anyway = form.querySelector("#flash-anyway");
    form.addEventListener("submit", (event) => this.submit(event));
    form.addEventListener("input", () => { this.anyway.hidden = true; });
  }

  async load(showcase) {
    const products = await Promise.all((showcase || []).map((p) => api(`/api/products/${p.id}`).catch(() => null)));
    const options = [];
    for (const product of products.filter(Boolean)) {
      for (const sku of product.skus || []) {
        options.push(h("option", { value: String(sku.id), "data-price": String(sku.price) },
          `${product.title} · ${sku.name} · ${money(sku.price)} · ${t("console.stock")} ${sku.stock}`));
      }
    }
    this.form.sku.replaceChildren(...options);
    await this.refresh();
  }

  async refresh() {
    this.sales = await api(`/api/rooms/${this.roomId}/flash-sales`).catch(() => this.sales);
    this.render();
  }

  render() {
    if (!this.sales.length) return this.list.replaceChildren(h("li", { class: "muted" }, t("flash.none")));
    this.list.replaceChildren(...this.sales.map((s) => h("li", { id: `flash-row-${s.id}` },
      h("span", { class: "grow" }, t("flash.row", { title: `${s.title} · ${s.skuName}`, price: money(s.price), left: s.left, quantity: s.quantity, phase: t(`flash.phase.${s.phase}`) }),
        s.phase === "ended" && s.sold !== null ? ` · ${t("flash.ended", { sold: s.sold, returned: s.returned })}` : ""),
      s.phase === "ended" ? null : h("button", { type: "button", class: "small danger", onclick: (event) => this.end(event.currentTarget, s.id) }, t("flash.end")))));
  }

  end(button, saleId) {
    act(button, this.error, async () => {
      await api(`/api/flash-sales/${saleId}/end`, { method: "POST" });
      await this.refresh();
    });
  }

  submit(event) {
    event.preventDefault();
    this.ok.textContent = "";
    const anyway = event.submitter && event.submitter.value === "anyway";
    act(event.submitter, this.error, async () => {
      const form = this.form;
      const price = toFen(form.price.value);
      if (!price || !form.sku.value) throw { code: "validation_error", detail: t("flash.price") };
      const body = {
        skuId: Number(form.sku.value), price,
        quantity: parseInt(form.quantity.value, 10) || 1, perUserLimit: parseInt(form.limit.value, 10) || 1,
        countdownSeconds: parseInt(form.countdown.value, 10) || 0, windowMinutes: parseInt(form.window.value, 10) || 0,
        acknowledgeNotLowest: anyway,
      };
      try {
        const sale = await api(`/api/rooms/${this.roomId}/flash-sales`, { method: "POST", body });
        this.anyway.hidden = true;
        this.ok.textContent = `${t("console.done")}: ${sale.title} ${money(sale.price)} × ${sale.quantity}`;
        await this.refresh();
      } catch (err) {
        if (err.code === "flash_price_not_lowest") {
          this.anyway.hidden = false;
          throw { code: err.code, detail: t("flash.notLowest", { low: money(err.body?.lowest30d ?? 0) }) };
        }
        throw err;
      }
    });
  }
}
