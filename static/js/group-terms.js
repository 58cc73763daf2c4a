// The host's group-buy terms of one product, in the product editor: on or off, N people (2–50)
// within H hours (1–72), a group price per SKU (below its own price), and whether group orders
// pay distributors' commission. Saved on its own (PUT /api/products/{id}/group-buy).
import { api, errorText } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { toFen } from "./money.js";

const fenText = (fen) => (fen == null ? "" : (fen / 100).toFixed(2));

export async function mountGroupTerms(root, product) {
  root.hidden = !product;
  if (!product) return root.replaceChildren();
  let offer = null;
  try {
    offer = await api(`/api/products/${product.id}/group-buy`);
  } catch {
    offer = null; // none yet
  }
  const priceOf = new Map((offer ? offer.prices : []).map((p) => [p.skuId, p.price]));
  const enabled = h("input", { type: "checkbox", id: "g-enabled", checked: offer ? offer.enabled : false });
  const size = h("input", { id: "g-size", type: "number", min: "2", max: "50", value: String(offer ? offer.groupSize : 2), inputmode: "numeric" });
  const hours = h("input", { id: "g-hours", type: "number", min: "1", max: "72", value: String(offer ? offer.hours : 24), inputmode: "numeric" });
  const commission = h("input", { type: "checkbox", id: "g-commission", checked: offer ? offer.paysCommission : true });
  const prices = product.skus.map((sku) => {
    const input = h("input", { id: `g-price-${sku.id}`, inputmode: "decimal", value: fenText(priceOf.get(sku.id)), "aria-label": `${t("group.price")} · ${sku.name}` });
    return { sku, input };
  });
  const error = h("p", { class: "error", role: "alert" });
  const status = h("p", { class: "notice", role: "status" });
  const form = h("form", { novalidate: true, id: "group-terms-form" },
    h("h2", { id: "group-terms-h" }, t("group.editor")),
    h("p", { class: "muted" }, t("group.editorHint")),
    h("label", { class: "inline" }, enabled, " ", t("group.enabled")),
    h("label", { for: "g-size" }, t("group.groupSize")), size,
    h("label", { for: "g-hours" }, t("group.hours")), hours,
    h("table", { class: "sku-table" }, h("tbody", {}, prices.map(({ sku, input }) =>
      h("tr", {}, h("td", {}, sku.name), h("td", { class: "num" }, fenText(sku.price)), h("td", { class: "num" }, input))))),
    h("label", { class: "inline" }, commission, " ", t("group.paysCommission")),
    error, status,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary", id: "g-save" }, t("group.save"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = status.textContent = "";
    const body = {
      enabled: enabled.checked,
      groupSize: parseInt(size.value, 10) || 0,
      hours: parseInt(hours.value, 10) || 0,
      paysCommission: commission.checked,
      prices: prices.filter(({ input }) => input.value.trim()).map(({ sku, input }) => ({ skuId: sku.id, price: toFen(input.value) || 0 })),
    };
    try {
      await api(`/api/products/${product.id}/group-buy`, { method: "PUT", body });
      status.textContent = t("group.saved");
    } catch (err) {
      error.textContent = errorText(err);
    }
  });
  root.replaceChildren(form);
}
