// Where the buy sheet's order ships: the default address preselected, another picked from the
// book, or one added inline (saved to the book when the order is placed). An order needs one.
import { errorText } from "../api.js";
import { addressBook, addressForm, addressSummary } from "../address.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

export class AddressPicker {
  constructor() {
    this.entries = [];
    this.selected = null; // the chosen entry's id
    this.adding = false; // the inline form is shown
    this.form = null;
    this.element = h("section", { class: "buy-address", id: "buy-address", "aria-labelledby": "buy-address-title" },
      h("h3", { id: "buy-address-title" }, t("buy.address")), h("p", { class: "muted" }, t("common.loading")));
  }

  async load() {
    try {
      const book = await addressBook.list();
      this.entries = book.items;
      this.limit = book.limit;
    } catch (err) {
      this.entries = [];
      this.loadError = errorText(err);
    }
    const chosen = this.entries.find((a) => a.id === this.selected) || this.entries.find((a) => a.isDefault) || this.entries[0];
    this.selected = chosen ? chosen.id : null;
    this.adding = !this.entries.length;
    this.listing = false;
    this.render();
  }

  render() {
    const title = h("h3", { id: "buy-address-title" }, t("buy.address"));
    const parts = [title];
    if (this.adding) {
      this.form = addressForm({ prefix: "buy-addr", showDefault: this.entries.length > 0, defaultChecked: !this.entries.length });
      parts.push(h("p", { class: "muted" }, t(this.entries.length ? "buy.addressNew" : "buy.addressFirst")), this.form.element);
      if (this.entries.length) {
        parts.push(h("button", { type: "button", class: "small", onclick: () => { this.adding = false; this.render(); } }, t("buy.addressUseSaved")));
      }
    } else if (this.listing) {
      this.form = null;
      parts.push(h("fieldset", { class: "address-choices", id: "buy-address-list" },
        h("legend", { class: "visually-hidden" }, t("buy.address")),
        this.entries.map((a) => h("label", { class: "address-choice" },
          h("input", { type: "radio", name: "buy-address", value: String(a.id), checked: a.id === this.selected,
            onchange: () => { this.selected = a.id; } }),
          addressSummary(a, { mask: true })))));
      parts.push(h("div", { class: "row" },
        h("button", { type: "button", class: "small primary", onclick: () => { this.listing = false; this.render(); } }, t("buy.addressDone")),
        this.entries.length < (this.limit || 20)
          ? h("button", { type: "button", class: "small", id: "buy-address-add", onclick: () => this.startAdding() }, t("addr.add"))
          : null));
    } else {
      this.form = null;
      const chosen = this.entries.find((a) => a.id === this.selected);
      parts.push(h("div", { class: "address-chosen", id: "buy-address-chosen" }, chosen ? addressSummary(chosen, { mask: true }) : null),
        h("button", { type: "button", class: "small", id: "buy-address-change", onclick: () => { this.listing = true; this.render(); } }, t("buy.addressChange")));
    }
    if (this.loadError) parts.push(h("p", { class: "muted" }, this.loadError));
    this.element.replaceChildren(...parts);
  }

  startAdding() {
    this.adding = true;
    this.listing = false;
    this.render();
    this.form.focus();
  }

  // Before placing: the chosen entry's id, the inline address saved to the book first. Throws
  // a { field } error (already shown beside its field) when the inline form is not valid.
  async addressId() {
    if (!this.adding) {
      if (this.selected) return this.selected;
      this.startAdding();
    }
    const { data } = this.form.read();
    if (!data) throw Object.assign(new Error("address"), { code: "address_invalid" });
    let saved;
    try {
      saved = await addressBook.add(data);
    } catch (err) {
      if (err.code === "validation_error" && this.form.showServerError(err)) err.code = "address_invalid";
      throw err;
    }
    this.entries = [saved, ...this.entries.map((a) => (saved.isDefault ? { ...a, isDefault: false } : a))];
    this.selected = saved.id;
    this.adding = false;
    this.render();
    return saved.id;
  }
}
