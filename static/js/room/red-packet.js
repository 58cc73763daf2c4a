// The red packet pop-up: an envelope to open, the grab (over the room socket, else HTTP),
// the result, then who grabbed what and the best luck (手气最佳).
import { errorText } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money } from "../money.js";
import { grabRedPacket, redPacket, redPacketOf } from "../promotions-api.js";

const GRAB_TIMEOUT_MS = 5000;

export class RedPackets {
  constructor(dialog, body, { socket, hostName, loginHref, isLive }) {
    this.dialog = dialog;
    this.body = body;
    this.socket = socket;
    this.hostName = hostName;
    this.loginHref = loginHref;
    this.isLive = isLive;
    this.loggedIn = false;
    this.seen = new Set();
    this.opening = false; // a grab in flight or its result on screen: not dismissed under it
    this.pending = null; // { id, resolve, reject, timer }
    dialog.addEventListener("cancel", () => this.dialog.close());
    dialog.addEventListener("close", () => { this.opening = false; });
  }

  // From the snapshot (active packets) and from `red_packet` events. The snapshot says whether
  // this viewer already has a part (`grabbedByYou`): a reload must not offer it again, and a
  // room that is not live offers nothing.
  offer(raw) {
    const packet = redPacketOf(raw);
    const source = (raw && (raw.redPacket || raw)) || {};
    if (packet.id === undefined || this.seen.has(packet.id) || packet.status === "finished" || packet.status === "expired") return;
    if (source.grabbedByYou) {
      this.seen.add(packet.id);
      return;
    }
    if (!this.isLive()) return;
    this.seen.add(packet.id);
    this.show(packet);
  }

  // The session ended: an envelope nobody opened goes away; a result on screen stays.
  dismiss() {
    if (this.dialog.open && !this.opening) this.dialog.close();
  }

  show(packet) {
    this.opening = false;
    const open = h("button", { type: "button", class: "open", id: "rp-open", "aria-label": t("rp.open") }, t("rp.open"));
    const error = h("p", { class: "error", role: "alert" });
    open.addEventListener("click", () => this.open(packet, open, error));
    this.body.replaceChildren(h("div", { class: "rp-inner" },
      h("h2", { id: "rp-title" }, t("rp.from", { host: this.hostName() })),
      h("p", { class: "greeting" }, packet.greeting || "恭喜发财，大吉大利"),
      this.loggedIn ? open : h("a", { class: "button", href: this.loginHref }, t("nav.login")),
      error, this.closeButton()));
    if (!this.dialog.open) this.dialog.showModal();
    (this.loggedIn ? open : this.body.querySelector("a")).focus();
  }

  closeButton() {
    return h("button", { type: "button", class: "small close", onclick: () => this.dialog.close() }, t("room.close"));
  }

  async open(packet, button, error) {
    this.opening = true;
    button.disabled = true;
    error.textContent = "";
    try {
      const result = await this.grab(packet.id);
      await this.result(packet, result);
    } catch (err) {
      error.textContent = errorText(err);
      this.opening = false;
      button.disabled = false;
      if (err.code === "red_packet_empty" || err.code === "red_packet_expired") button.hidden = true;
    }
  }

  grab(packetId) {
    if (!this.socket.send({ type: "grab", redPacketId: packetId })) return grabRedPacket(packetId);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending = null;
        grabRedPacket(packetId).then(resolve, reject);
      }, GRAB_TIMEOUT_MS);
      this.pending = { id: packetId, resolve, reject, timer };
    });
  }

  // Room socket frames: `grab_result` answers us; an `error` while a grab waits is its refusal.
  onResult(frame) {
    if (frame.type !== "grab_result" || !this.pending) return;
    const { resolve, timer } = this.pending;
    clearTimeout(timer);
    this.pending = null;
    resolve(frame);
  }

  onError(frame) {
    if (!this.pending) return false;
    const { reject, timer } = this.pending;
    clearTimeout(timer);
    this.pending = null;
    reject({ code: frame.code, detail: frame.detail });
    return true;
  }

  async result(packet, result) {
    const won = result.outcome ? result.outcome === "won" : (result.amount || 0) > 0;
    const head = won
      ? [h("p", {}, t("rp.won", { amount: "" })), h("p", { class: "amount", id: "rp-amount" }, money(result.amount)),
        h("p", { class: "muted" }, result.again ? t("rp.again") : t("rp.toWallet"))]
      : [h("p", { class: "amount" }, "😢"), h("p", {}, t("rp.empty"))];
    const list = h("div", {}, h("p", { class: "muted" }, t("common.loading")));
    this.body.replaceChildren(h("div", { class: "rp-inner" }, h("h2", { id: "rp-title" }, t("rp.from", { host: this.hostName() })),
      ...head, list, this.closeButton()));
    try {
      const detail = redPacketOf(await redPacket(packet.id));
      list.replaceChildren(this.claims(detail));
    } catch (err) {
      list.replaceChildren(h("p", { class: "error", role: "alert" }, errorText(err)));
    }
  }

  claims(packet) {
    const best = packet.bestLuck;
    return h("div", {},
      h("p", {}, t("rp.claims", { n: packet.claims.length, count: packet.count ?? "?" })),
      h("ul", { "aria-label": t("rp.claims", { n: packet.claims.length, count: packet.count ?? "?" }) },
        packet.claims.map((c) => {
          const isBest = best && best.userId === c.userId;
          return h("li", { class: isBest ? "best" : "" },
            h("span", {}, c.displayName || c.username || `#${c.userId}`, isBest ? ` 👑 ${t("rp.bestLuck")}` : ""),
            h("span", {}, money(c.amount)));
        })));
  }
}
