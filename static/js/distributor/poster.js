// The poster dialog: the server draws the PNG (picture, title, price, QR of your link); the
// dialog shows it with a download link. Escape or "close" closes it and gives focus back.
import { $, showError } from "../dom.js";
import { t } from "../i18n.js";
import { poster } from "./api.js";

let objectUrl = null;
let opener = null;

function release() {
  if (objectUrl) URL.revokeObjectURL(objectUrl);
  objectUrl = null;
}

export function setupPosterDialog() {
  const dialog = $("#poster-dialog");
  $("#poster-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    release();
    $("#poster-img").removeAttribute("src");
    if (opener) opener.focus();
  });
}

// Opens the dialog for a library item ({kind, id, title}); resolves once the poster is shown
// (or the refusal is), so the caller can refresh what the poster made (the link).
export async function openPoster(item, button) {
  const dialog = $("#poster-dialog");
  const img = $("#poster-img");
  const download = $("#poster-download");
  opener = button || null;
  release();
  img.removeAttribute("src");
  img.alt = t("dist.poster.alt", { title: item.title });
  download.hidden = true;
  $("#poster-error").textContent = "";
  $("#poster-status").textContent = t("dist.poster.loading");
  if (!dialog.open) dialog.showModal();
  try {
    const blob = await poster(item.kind === "room" ? { roomId: item.id } : { productId: item.id });
    objectUrl = URL.createObjectURL(blob);
    img.src = objectUrl;
    download.href = objectUrl;
    download.download = `poster-${item.kind}-${item.id}.png`;
    download.hidden = false;
    $("#poster-status").textContent = "";
    download.focus();
  } catch (err) {
    $("#poster-status").textContent = "";
    showError(err, $("#poster-error"));
  }
}
