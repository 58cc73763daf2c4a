// The after-sales form (申请售后) of one order: which items and how many units, the amount
// (prefilled with what they can give back, never more), a reason from the list and words, up to
// 3 photos uploaded through POST /api/uploads/images. Sends POST /api/orders/{id}/refund.
import { ApiError, api, errorText } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { dateTime, money, toFen } from "./money.js";

export const REASONS = ["not_as_described", "quality", "damaged", "wrong_item", "missing_parts", "not_received", "no_longer_needed", "other"];
const MAX_PHOTOS = 3;

// What an item gives back for `units` of its quantity: as the API counts it (after_sales.py).
export function itemCap(item, units) {
  const left = item.paidAmount - item.refundedAmount;
  if (units >= item.quantity) return left;
  return Math.min(left, Math.floor((item.paidAmount * units) / item.quantity));
}

async function uploadPhoto(file) {
  const data = new FormData();
  data.append("file", file);
  let response;
  try {
    response = await fetch("/api/uploads/images", { method: "POST", body: data, credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch (exc) {
    throw new ApiError(0, "network_error", String(exc && exc.message));
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.code || "unknown", body.detail || response.statusText, body);
  return body;
}

export function afterSalesForm(order, { onDone }) {
  const items = order.items.filter((item) => item.paidAmount - item.refundedAmount > 0);
  const error = h("p", { class: "error", role: "alert", id: "refund-error" });
  const rows = items.map((item) => {
    const check = h("input", { type: "checkbox", id: `refund-item-${item.id}`, checked: true, dataset: { itemId: item.id } });
    const units = h("input", { type: "number", id: `refund-qty-${item.id}`, min: "1", max: String(item.quantity), value: String(item.quantity),
      inputmode: "numeric", "aria-label": t("refund.units", { title: item.title }) });
    const picture = item.thumbUrl || item.imageUrl;
    return { item, check, units,
      element: h("div", { class: "refund-item" }, check,
        h("label", { for: check.id }, picture ? h("img", { src: picture, alt: "", class: "mini" }) : null,
          `${item.title} · ${item.skuName}`, h("span", { class: "muted" }, ` ${t("refund.ofUnits", { n: item.quantity })}`)),
        units) };
  });
  const amount = h("input", { id: "refund-amount", name: "amount", inputmode: "decimal", "aria-describedby": "refund-max" });
  const maxNote = h("p", { class: "muted", id: "refund-max" });
  const reasonCode = h("select", { id: "refund-reason-code", name: "reasonCode", required: true },
    h("option", { value: "" }, t("refund.pickReason")), REASONS.map((r) => h("option", { value: r }, t(`refund.reason.${r}`))));
  const words = h("textarea", { id: "refund-reason", name: "reason", maxlength: "500", placeholder: t("refund.wordsHint") });
  const fileInput = h("input", { type: "file", id: "refund-photos", accept: "image/jpeg,image/png,image/webp,image/gif", multiple: true });
  const photoBox = h("div", { class: "photos", id: "refund-photo-list" });
  const photoStatus = h("p", { class: "muted", role: "status", id: "refund-photo-status" });
  const submit = h("button", { type: "submit", class: "primary", id: "refund-submit" }, t("refund.submit"));
  const photos = []; // [{ url, thumbUrl }]
  let touched = false; // the buyer typed an amount: stop prefilling it

  const chosen = () => rows.filter((r) => r.check.checked).map((r) => {
    const n = Math.max(1, Math.min(r.item.quantity, parseInt(r.units.value, 10) || 1));
    return { row: r, units: n, cap: itemCap(r.item, n) };
  });
  const cap = () => chosen().reduce((sum, c) => sum + c.cap, 0);
  const refreshAmount = () => {
    for (const r of rows) r.units.disabled = !r.check.checked;
    const most = cap();
    maxNote.textContent = t("refund.max", { amount: money(most) });
    if (!touched) amount.value = (most / 100).toFixed(2);
  };
  const showPhotos = () => {
    photoBox.replaceChildren(...photos.map((p, i) => h("figure", {},
      h("img", { src: p.thumbUrl || p.url, alt: t("refund.photoN", { n: i + 1 }) }),
      h("button", { type: "button", class: "small", "aria-label": t("refund.removePhoto", { n: i + 1 }),
        onclick: () => { photos.splice(i, 1); showPhotos(); } }, "×"))));
    fileInput.disabled = photos.length >= MAX_PHOTOS;
  };

  fileInput.addEventListener("change", async () => {
    const files = [...fileInput.files].slice(0, MAX_PHOTOS - photos.length);
    fileInput.value = "";
    for (const file of files) {
      photoStatus.textContent = t("refund.uploading");
      try {
        const up = await uploadPhoto(file);
        photos.push({ url: up.url, thumbUrl: up.thumbUrl });
        showPhotos();
        photoStatus.textContent = "";
      } catch (err) {
        photoStatus.textContent = errorText(err);
      }
    }
  });
  amount.addEventListener("input", () => { touched = true; });
  reasonCode.addEventListener("change", () => {
    error.textContent = "";
    reasonCode.removeAttribute("aria-invalid");
  });

  const form = h("form", { class: "after-sales-form", id: "after-sales-form", novalidate: true },
    h("fieldset", { class: "refund-items" }, h("legend", {}, t("refund.whichItems")), rows.map((r) => r.element)),
    h("label", { for: "refund-amount" }, t("refund.amount")), amount, maxNote,
    h("label", { for: "refund-reason-code" }, t("refund.reasonLabel")), reasonCode,
    h("label", { for: "refund-reason" }, t("refund.words")), words,
    h("label", { for: "refund-photos" }, t("refund.photos", { n: MAX_PHOTOS })), fileInput, photoBox, photoStatus,
    error, h("div", { class: "row" }, submit));
  form.addEventListener("change", (event) => { if (event.target !== amount && event.target !== fileInput) refreshAmount(); });
  form.addEventListener("input", (event) => { if (event.target.type === "number") refreshAmount(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const picked = chosen();
    const most = cap();
    const fen = toFen(amount.value);
    if (!picked.length) {
      error.textContent = t("refund.noItems");
      return;
    }
    if (!fen || fen > most) {
      error.textContent = t("refund.badAmount", { amount: money(most) });
      amount.setAttribute("aria-invalid", "true");
      amount.focus();
      return;
    }
    amount.removeAttribute("aria-invalid");
    if (!reasonCode.value) {
      error.textContent = t("refund.noReason");
      reasonCode.setAttribute("aria-invalid", "true");
      reasonCode.focus();
      return;
    }
    reasonCode.removeAttribute("aria-invalid");
    submit.disabled = true;
    try {
      const body = {
        items: picked.map((c) => ({ itemId: c.row.item.id, quantity: c.units })),
        amount: fen,
        reasonCode: reasonCode.value,
        reason: words.value.trim(),
        photos: photos.map((p) => p.url),
      };
      const answer = await api(`/api/orders/${order.id}/refund`, { method: "POST", body });
      onDone(answer);
    } catch (err) {
      error.textContent = errorText(err);
      submit.disabled = false;
    }
  });
  refreshAmount();
  showPhotos();
  return form;
}

// One refund's progress: asked → the host's decision (with its reason) → the money back.
export function refundCard(refund) {
  const steps = [[t("refund.step.asked", { amount: money(refund.requestedAmount || refund.amount) }), refund.createdAt, "done"]];
  if (refund.status === "requested") {
    steps.push([t("refund.step.waiting"), null, "todo"]);
  } else if (refund.status === "approved") {
    const less = refund.requestedAmount && refund.amount < refund.requestedAmount;
    steps.push([t(less ? "refund.step.approvedLess" : "refund.step.approved", { amount: money(refund.amount) }), refund.decidedAt, "done"]);
    steps.push([t("refund.step.refunded", { amount: money(refund.amount) }), refund.decidedAt, "done"]);
  } else if (refund.status === "rejected") {
    steps.push([t("refund.step.rejected"), refund.decidedAt, "bad"]);
  }
  const reason = refund.reasonCode ? t(`refund.reason.${refund.reasonCode}`) : "";
  return h("article", { class: `card refund-card ${refund.status}`, id: `refund-${refund.id}` },
    h("div", { class: "row spread" }, h("h3", {}, t("refund.number", { id: refund.id })),
      h("span", { class: "badge", dataset: { status: refund.status } }, t(`refund.status.${refund.status}`))),
    h("p", {}, [reason, refund.reason].filter(Boolean).join(" · ")),
    refund.decisionReason ? h("p", { class: "decision" }, t("refund.hostSays", { reason: refund.decisionReason })) : null,
    refund.photos && refund.photos.length
      ? h("div", { class: "photos" }, refund.photos.map((url, i) => h("a", { href: url }, h("img", { src: (refund.photoThumbs || [])[i] || url, alt: t("refund.photoN", { n: i + 1 }) }))))
      : null,
    h("ol", { class: "timeline" }, steps.map(([text, at, cls]) => h("li", { class: cls === "done" ? "" : cls }, text,
      at ? h("time", { datetime: at }, dateTime(at)) : null))));
}
