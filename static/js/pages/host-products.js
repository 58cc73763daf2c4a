// The host's products: the list (cover thumbnail, prices, stock, on/off shelf) and the editor:
// title, description, pictures (upload, reorder, delete; the first is the cover), specs
// (颜色: 红, 蓝) whose combinations are the SKUs, each with its price (yuan on screen, fen on
// the wire), stock and picture.
import { api, uploadImage } from "../api.js";
import { mountGroupTerms } from "../group-terms.js";
import { $, act, clear, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { money, toFen } from "../money.js";
import { requireLogin } from "../session.js";

const MAX_IMAGES = 10;
const MAX_SPECS = 3;
const SEPARATOR = " / ";

let user = null;
let products = [];
let draft = null; // the product being edited (see blankDraft)

const fenText = (fen) => (fen == null ? "" : (fen / 100).toFixed(2));
const comboKey = (values) => values.join("\u0001");
const splitValues = (text) => [...new Set(String(text).split(/[,，、;；\s]+/).map((v) => v.trim()).filter(Boolean))];

function blankSku(specValues = []) {
  return { id: null, specValues, name: "", priceText: "", stockText: "0", image: "" };
}

function blankDraft() {
  return { id: null, title: "", description: "", images: [], specs: [], skus: [blankSku()], pool: new Map(), originalIds: [], onShelf: true };
}

function draftOf(product) {
  const specs = product.specs.map((s) => ({ name: s.name, valuesText: s.values.join(", ") }));
  const skus = product.skus.map((s) => ({
    id: s.id,
    specValues: s.specValues,
    // A name of its own is shown; one derived from the values stays a placeholder.
    name: s.specValues.length && s.name === s.specValues.join(SEPARATOR) ? "" : s.name,
    priceText: fenText(s.price),
    stockText: String(s.stock),
    image: s.image || "",
  }));
  return {
    id: product.id,
    title: product.title,
    description: product.description,
    images: product.images.map((url, i) => ({ url, thumbUrl: product.thumbs[i] || url })),
    specs,
    skus,
    // Every SKU met while editing, by its combination: one dropped and named again comes back
    // as itself (with its id, its orders and what was typed), not as a new SKU.
    pool: new Map(skus.filter((s) => s.specValues.length).map((s) => [comboKey(s.specValues), s])),
    originalIds: skus.map((s) => s.id),
    onShelf: product.onShelf,
  };
}

function specList() {
  return draft.specs.map((s) => ({ name: s.name.trim(), values: splitValues(s.valuesText) }))
    .filter((s) => s.name && s.values.length);
}

function combinations(specs) {
  return specs.reduce((acc, spec) => acc.flatMap((head) => spec.values.map((v) => [...head, v])), [[]]);
}

// The SKUs follow the specs: one per combination, keeping what was typed for a combination
// that stays; an existing SKU whose combination is gone is removed on save.
function syncSkus() {
  const specs = specList();
  for (const sku of draft.skus) if (sku.specValues.length) draft.pool.set(comboKey(sku.specValues), sku);
  let next;
  if (specs.length) {
    next = combinations(specs).map((values) => {
      const key = comboKey(values);
      if (!draft.pool.has(key)) draft.pool.set(key, blankSku(values));
      return draft.pool.get(key);
    });
  } else {
    next = draft.skus.filter((s) => !s.specValues.length);
    if (!next.length) next = [blankSku()];
  }
  draft.skus = next;
  renderSkus();
}

// Existing SKUs no longer in the form: removed (the server keeps one that was ordered: 409).
function removedIds() {
  const kept = new Set(draft.skus.map((s) => s.id));
  return draft.originalIds.filter((id) => !kept.has(id));
}

function renderImages() {
  const list = $("#images");
  list.replaceChildren(...draft.images.map((image, index) => {
    const move = (delta) => {
      const [item] = draft.images.splice(index, 1);
      draft.images.splice(index + delta, 0, item);
      renderImages();
      renderSkus();
    };
    return h("li", {},
      h("img", { src: image.thumbUrl, alt: t("products.imageN", { n: index + 1 }) }),
      index === 0 ? h("span", { class: "badge live cover-badge" }, t("products.cover")) : h("span", { class: "muted cover-badge" }, t("products.imageN", { n: index + 1 })),
      h("div", { class: "row" },
        h("button", { type: "button", class: "small", disabled: index === 0, "aria-label": t("products.moveLeft", { n: index + 1 }), onclick: () => move(-1) }, "←"),
        h("button", { type: "button", class: "small", disabled: index === draft.images.length - 1, "aria-label": t("products.moveRight", { n: index + 1 }), onclick: () => move(1) }, "→"),
        h("button", { type: "button", class: "small danger", "aria-label": t("products.removeImage", { n: index + 1 }), onclick: () => {
          const [gone] = draft.images.splice(index, 1);
          for (const sku of draft.skus) if (sku.image === gone.url) sku.image = "";
          renderImages();
          renderSkus();
        } }, "✕")));
  }));
  $("label[for=image-file]").hidden = draft.images.length >= MAX_IMAGES;
}

function renderSpecs() {
  $("#specs").replaceChildren(...draft.specs.map((spec, index) => h("div", { class: "spec-row" },
    h("div", {},
      h("label", { for: `spec-name-${index}` }, t("products.specName")),
      h("input", { id: `spec-name-${index}`, class: "spec-name", maxlength: "16", value: spec.name, placeholder: t("products.specNamePlaceholder"),
        oninput: (e) => { spec.name = e.target.value; }, onchange: syncSkus })),
    h("div", {},
      h("label", { for: `spec-values-${index}` }, t("products.specValues")),
      h("input", { id: `spec-values-${index}`, class: "spec-values", maxlength: "400", value: spec.valuesText, placeholder: t("products.specValuesPlaceholder"),
        oninput: (e) => { spec.valuesText = e.target.value; }, onchange: syncSkus })),
    h("button", { type: "button", class: "small danger", onclick: () => { draft.specs.splice(index, 1); renderSpecs(); syncSkus(); } }, t("products.removeSpec")))));
  $("#add-spec").hidden = draft.specs.length >= MAX_SPECS;
  $("#add-sku").hidden = specList().length > 0;
}

function imageSelect(sku, index) {
  const select = h("select", { "aria-label": t("products.skuImageOf", { n: index + 1 }), onchange: (e) => { sku.image = e.target.value; } },
    h("option", { value: "" }, t("products.coverDefault")),
    ...draft.images.map((image, i) => h("option", { value: image.url }, t("products.imageN", { n: i + 1 }))));
  select.value = draft.images.some((image) => image.url === sku.image) ? sku.image : "";
  return select;
}

function renderSkus() {
  const withSpecs = specList().length > 0;
  $("#skus").replaceChildren(...draft.skus.map((sku, index) => {
    const derived = sku.specValues.join(SEPARATOR);
    return h("tr", {},
      h("td", {},
        withSpecs ? h("div", { class: "spec-label" }, derived) : null,
        h("input", { class: "sku-name", maxlength: "64", value: sku.name, placeholder: withSpecs ? derived : t("products.skuNamePlaceholder"),
          "aria-label": t("products.skuName"), oninput: (e) => { sku.name = e.target.value; } })),
      h("td", { class: "num" }, h("input", { class: "sku-price", inputmode: "decimal", value: sku.priceText, placeholder: "0.00",
        "aria-label": t("products.price"), oninput: (e) => { sku.priceText = e.target.value; } })),
      h("td", { class: "num" }, h("input", { class: "sku-stock", inputmode: "numeric", value: sku.stockText,
        "aria-label": t("products.stock"), oninput: (e) => { sku.stockText = e.target.value; } })),
      h("td", {}, imageSelect(sku, index)),
      h("td", {}, withSpecs || draft.skus.length === 1 ? null : h("button", { type: "button", class: "small danger", onclick: () => {
        draft.skus.splice(index, 1);
        renderSkus();
      } }, t("products.removeSku"))));
  }));
  $("#add-sku").hidden = withSpecs;
}

function openEditor(product) {
  draft = product ? draftOf(product) : blankDraft();
  $("#editor-h").textContent = product ? t("products.editTitle", { title: product.title }) : t("products.newTitle");
  $("#p-title").value = draft.title;
  $("#p-description").value = draft.description;
  $("#p-on-shelf").checked = draft.onShelf;
  clear($("#form-error"));
  clear($("#upload-error"));
  clear($("#upload-status"));
  renderImages();
  renderSpecs();
  renderSkus();
  $("#editor").hidden = false;
  $("#p-title").focus();
  mountGroupTerms($("#group-terms"), product); // 拼团: a saved product's terms (its SKUs known)
}

function closeEditor() {
  draft = null;
  $("#editor").hidden = true;
  $("#group-terms").hidden = true;
}

// The request body from the form, or an Error naming what to fix.
function body() {
  const title = $("#p-title").value.trim();
  if (!title) throw new Error(t("products.needTitle"));
  const specs = specList();
  const skus = draft.skus.map((sku) => {
    const label = sku.name.trim() || sku.specValues.join(SEPARATOR) || "?";
    const price = toFen(sku.priceText);
    if (!price) throw new Error(t("products.badPrice", { name: label }));
    const stock = /^\s*\d{1,8}\s*$/.test(sku.stockText) ? Number(sku.stockText) : null;
    if (stock === null) throw new Error(t("products.badStock", { name: label }));
    if (!specs.length && !sku.name.trim()) throw new Error(t("products.needName"));
    const out = { price, stock };
    if (sku.id) out.id = sku.id;
    if (specs.length) out.specValues = sku.specValues;
    else if (sku.id) out.specValues = [];
    if (sku.name.trim()) out.name = sku.name.trim();
    if (sku.id) out.image = sku.image || "";
    else if (sku.image) out.image = sku.image;
    return out;
  });
  return {
    title,
    description: $("#p-description").value,
    images: draft.images.map((image) => image.url),
    specs,
    onShelf: $("#p-on-shelf").checked,
    skus,
  };
}

async function save() {
  syncSkus(); // a spec typed and submitted with Enter, before its change event
  let data;
  try {
    data = body();
  } catch (err) {
    $("#form-error").textContent = err.message;
    return;
  }
  if (draft.id) {
    data.skus = [...data.skus, ...removedIds().map((id) => ({ id, remove: true }))];
    await api(`/api/products/${draft.id}`, { method: "PATCH", body: data });
  } else {
    await api("/api/products", { method: "POST", body: data });
  }
  closeEditor();
  $("#list-status").textContent = t("products.saved", { title: data.title });
  await load();
}

async function uploadFiles(files) {
  clear($("#upload-error"));
  for (const file of files) {
    if (draft.images.length >= MAX_IMAGES) {
      $("#upload-error").textContent = t("products.tooManyImages", { n: MAX_IMAGES });
      break;
    }
    $("#upload-status").textContent = t("products.uploading", { name: file.name });
    try {
      const uploaded = await uploadImage(file);
      draft.images.push({ url: uploaded.url, thumbUrl: uploaded.thumbUrl });
      renderImages();
      renderSkus();
    } catch (err) {
      showError(err, $("#upload-error"));
    }
  }
  $("#upload-status").textContent = draft.images.length ? t("products.imagesCount", { n: draft.images.length }) : "";
}

function priceRange(product) {
  const prices = product.skus.map((s) => s.price);
  const low = Math.min(...prices);
  const high = Math.max(...prices);
  return low === high ? money(low) : `${money(low)} – ${money(high)}`;
}

function renderList() {
  $("#products").replaceChildren(...(products.length ? products.map((product) => {
    const stock = product.skus.reduce((n, s) => n + s.stock, 0);
    const sold = product.skus.reduce((n, s) => n + s.sold, 0);
    return h("article", { class: `card product-row${product.onShelf ? "" : " off-shelf"}`, dataset: { productId: String(product.id) } },
      product.thumbUrl ? h("img", { class: "thumb", src: product.thumbUrl, alt: product.title }) : h("span", { class: "thumb", "aria-hidden": "true" }, "🛍"),
      h("div", {},
        h("h3", {}, product.title, " ", h("span", { class: `badge ${product.onShelf ? "live" : "ended"}` }, product.onShelf ? t("products.onShelfBadge") : t("products.offShelfBadge"))),
        h("div", { class: "price" }, priceRange(product)),
        h("div", { class: "meta" }, t("products.stockTotal", { n: stock }), " · ", t("products.sold", { n: sold }), " · ", t("products.skuCount", { n: product.skus.length })),
        h("div", { class: "sku-names" }, product.skus.map((s) => s.name).join("、"))),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "small", onclick: () => openEditor(product) }, t("products.edit")),
        h("button", { type: "button", class: "small", onclick: (e) => act(e.target, $("#error"), async () => {
          await api(`/api/products/${product.id}`, { method: "PATCH", body: { onShelf: !product.onShelf } });
          await load();
        }) }, product.onShelf ? t("products.takeOff") : t("products.putBack")),
        product.onShelf ? h("a", { class: "button small", href: `/products/${product.id}`, target: "_blank", rel: "noopener" }, t("products.view")) : null));
  }) : [h("p", { class: "empty" }, t("products.none"))]));
}

async function load() {
  try {
    const found = [];
    let cursor = null;
    for (let page = 0; page < 20; page += 1) {
      const query = `hostId=${user.id}&includeOffShelf=true&limit=100${cursor ? `&cursor=${cursor}` : ""}`;
      const out = await api(`/api/products?${query}`);
      found.push(...out.items);
      cursor = out.nextCursor;
      if (!cursor) break;
    }
    products = found;
    renderList();
  } catch (err) {
    showError(err, $("#error"));
  }
}

$("#new-product").addEventListener("click", () => openEditor(null));
$("#cancel").addEventListener("click", closeEditor);
$("#add-spec").addEventListener("click", () => {
  draft.specs.push({ name: "", valuesText: "" });
  renderSpecs();
  $(`#spec-name-${draft.specs.length - 1}`).focus();
});
$("#add-sku").addEventListener("click", () => {
  draft.skus.push(blankSku());
  renderSkus();
});
$("#p-title").addEventListener("input", (e) => { if (draft) draft.title = e.target.value; });
$("#image-file").addEventListener("change", async (event) => {
  const files = [...event.target.files];
  event.target.value = "";
  await uploadFiles(files);
});
$("#product-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act($("#save"), $("#form-error"), save);
});

await boot();
user = await requireLogin();
if (user) {
  const isHost = user.roles.includes("host") || user.roles.includes("admin");
  $("#not-host").hidden = isHost;
  $("#list-section").hidden = !isHost;
  $("#new-product").hidden = !isHost;
  onLangChange(() => {
    renderList();
    if (draft) {
      renderImages();
      renderSpecs();
      renderSkus();
    }
  });
  if (isHost) load();
}
