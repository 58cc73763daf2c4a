// Share the room: a distributor gets a short link carrying their code and its QR image;
// anyone else gets the plain room link and a way to become a distributor.
import { errorText } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { qrSource, shareLink } from "../distribution-api.js";
import { sheet } from "./sheets.js";

export class Share {
  constructor(dialog, body, { roomId }) {
    this.body = body;
    this.roomId = roomId;
    this.user = null;
    this.link = null;
    this.sheet = sheet(dialog);
  }

  async open() {
    this.sheet.open();
    const roles = new Set((this.user && this.user.roles) || []);
    if (!roles.has("distributor")) {
      this.render({ url: `${location.origin}/rooms/${this.roomId}` }, h("p", { class: "muted" }, t("share.plain"),
        " ", h("a", { href: "/distributor" }, t("share.becomeDistributor"))));
      return;
    }
    this.body.replaceChildren(h("p", { class: "muted" }, t("common.loading")));
    try {
      this.link = this.link || (await shareLink({ roomId: this.roomId }));
      this.render(this.link);
    } catch (err) {
      this.render({ url: `${location.origin}/rooms/${this.roomId}` }, h("p", { class: "error", role: "alert" }, errorText(err)));
    }
  }

  render(link, extra = null) {
    const url = link.url && link.url.startsWith("/") ? location.origin + link.url : link.url;
    const input = h("input", { id: "share-url", readonly: true, value: url });
    const copied = h("span", { role: "status", class: "muted" });
    const copy = h("button", { type: "button", class: "primary small" }, t("share.copy"));
    copy.addEventListener("click", async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(url);
      } catch {
        document.execCommand?.("copy");
      }
      copied.textContent = t("share.copied");
    });
    const qr = link.code || link.qrSvg || link.qrSvgUrl ? qrSource(link) : null;
    const qrNode = !qr ? null : qr.url ? h("img", { class: "qr", src: qr.url, alt: t("share.qr") })
      : h("div", { class: "qr", role: "img", "aria-label": t("share.qr") });
    if (qr && qr.svg) qrNode.innerHTML = qr.svg;
    // replaceChildren() writes a null as the text "null": leave out the parts this link lacks.
    this.body.replaceChildren(...[h("label", { for: "share-url" }, t("share.link")), input,
      h("div", { class: "row" }, copy, copied), qrNode, extra].filter(Boolean));
  }
}
