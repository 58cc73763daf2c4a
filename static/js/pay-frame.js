// The gateway's page in a dialog on our page; we learn the outcome by polling our own API
// (the gateway tells the shop by a signed callback, never the browser).
import { errorText } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

// payUrl is absolute, under PUBLIC_URL; a browser may have reached us by another name
// (localhost against 127.0.0.1, a LAN address, the compose default). Our own sandbox page is
// framed from this page's origin: CSP frame-src 'self' and the login cookie both need it.
// A gateway of its own (another origin by design) is framed as given.
export function frameSrc(payUrl) {
  const url = new URL(payUrl, location.href);
  return url.pathname.startsWith("/sandbox/pay/") ? url.pathname + url.search : url.href;
}

export function payInDialog(dialog, body, payUrl, { check, onDone, everyMs = 1000 }) {
  const status = h("p", { class: "muted", role: "status" }, t("buy.paying"));
  body.replaceChildren(status, h("iframe", { class: "pay-frame", src: frameSrc(payUrl), title: t("buy.payFrame") }));
  const timer = setInterval(async () => {
    try {
      if (await check()) {
        stop();
        dialog.close();
        onDone?.();
      }
    } catch (err) {
      status.textContent = errorText(err);
    }
  }, everyMs);
  const stop = () => clearInterval(timer);
  dialog.addEventListener("close", stop, { once: true });
  dialog.querySelector("[data-close]")?.addEventListener("click", () => dialog.close(), { once: true });
  dialog.showModal();
}
