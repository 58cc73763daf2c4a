// Gifts (打赏) in the live room: the gift sheet (catalogue, quantity, wallet balance, a top-up
// link), the send (POST /api/rooms/{id}/gifts with a fresh Idempotency-Key per tap), the
// animation of every `gift` event with a combo count for repeats, and the top tippers when the
// operator turned leaderboards on. The room's snapshot brings `gifts`; ticks bring `gift` events.
import { api, errorText, newKey } from "../api.js";
import { h } from "../dom.js";
import { lang, t } from "../i18n.js";
import { money } from "../money.js";
import { sheet } from "./sheets.js";

const QUANTITIES = [1, 5, 10];
const COMBO_MS = 4000; // the same sender and gift again within this: one banner, its count up
const SHOW_MS = 3500;
const MAX_BANNERS = 3;
const BOARD_SIZE = 3;

export class Gifts {
  constructor({ button, dialog, body, stage, board, roomId, loginHref, isLive, sessionId }) {
    this.button = button;
    this.body = body;
    this.stage = stage;
    this.board = board;
    this.roomId = roomId;
    this.loginHref = loginHref;
    this.isLive = isLive;
    this.sessionId = sessionId;
    this.sheet = sheet(dialog);
    this.catalogue = [];
    this.loggedIn = false;
    this.chosen = null; // gift id
    this.quantity = 1;
    this.balance = null; // fen, fetched when the sheet opens
    this.error = "";
    this.sending = false;
    this.banners = new Map(); // `${senderId}:${giftId}` -> { el, count, timer }
    this.tippers = null; // null: leaderboards off; else [{ userId, name, amount }]
    button.addEventListener("click", () => this.open());
  }

  // From the join snapshot: the catalogue and, when on, the session's top tippers.
  set(gifts, loggedIn) {
    this.catalogue = (gifts && gifts.catalogue) || [];
    this.loggedIn = loggedIn;
    this.tippers = gifts && gifts.leaderboardsEnabled ? [...(gifts.leaderboard || [])] : null;
    if (!this.catalogue.some((g) => g.id === this.chosen)) this.chosen = this.catalogue[0]?.id ?? null;
    this.button.hidden = !this.catalogue.length;
    this.renderBoard();
    if (this.sheet.isOpen) this.render();
  }

  async open() {
    this.error = "";
    this.render();
    this.sheet.open();
    if (this.loggedIn) await this.refreshBalance();
  }

  async refreshBalance() {
    try {
      this.balance = (await api("/api/me/wallet")).available;
    } catch (err) {
      this.error = errorText(err);
    }
    this.render();
  }

  giftName(gift) {
    return lang() === "zh-CN" || !gift.nameEn ? gift.name : gift.nameEn;
  }

  render() {
    const gift = this.catalogue.find((g) => g.id === this.chosen);
    const grid = h("div", { class: "gift-grid", role: "radiogroup", "aria-label": t("gifts.title") },
      ...this.catalogue.map((g) => {
        const item = h("button", {
          type: "button", class: "gift-item", role: "radio", "aria-checked": String(g.id === this.chosen),
          dataset: { giftId: g.id },
        }, h("img", { src: g.icon, alt: "", width: 40, height: 40 }),
        h("span", { class: "gift-name" }, this.giftName(g)), h("span", { class: "gift-price" }, money(g.price)));
        item.addEventListener("click", () => { this.chosen = g.id; this.error = ""; this.render(); });
        return item;
      }));
    const quantities = h("div", { class: "gift-quantity", role: "radiogroup", "aria-label": t("gifts.quantity") },
      ...QUANTITIES.map((n) => {
        const chip = h("button", { type: "button", class: "chip", role: "radio", "aria-checked": String(n === this.quantity) }, `×${n}`);
        chip.addEventListener("click", () => { this.quantity = n; this.render(); });
        return chip;
      }));
    const total = gift ? gift.price * this.quantity : 0;
    const balance = h("p", { class: "gift-balance" },
      h("span", { id: "gift-balance" }, this.balance === null ? t("gifts.balanceUnknown") : t("gifts.balance", { amount: money(this.balance) })),
      " ", h("a", { href: "/me/wallet", id: "gift-topup" }, t("gifts.topUp")));
    let action;
    if (!this.loggedIn) action = h("a", { class: "button primary", href: this.loginHref, id: "gift-login" }, t("gifts.login"));
    else {
      action = h("button", { type: "button", class: "primary", id: "gift-send", disabled: !gift || this.sending || !this.isLive() },
        this.isLive() ? t("gifts.send", { amount: money(total) }) : t("gifts.notLive"));
      action.addEventListener("click", () => this.send(gift));
    }
    this.body.replaceChildren(grid, quantities, this.loggedIn ? balance : null,
      h("p", { class: "error", role: "alert", id: "gift-error" }, this.error), action);
  }

  async send(gift) {
    if (!gift || this.sending) return;
    this.sending = true;
    this.error = "";
    this.render();
    try {
      const tip = await api(`/api/rooms/${this.roomId}/gifts`, {
        method: "POST",
        body: { giftId: gift.id, quantity: this.quantity, sessionId: this.sessionId() ?? undefined },
        idempotencyKey: newKey(),
      });
      this.balance = tip.balance;
    } catch (err) {
      this.error = err.code === "tip_limit_reached" ? t(`gifts.limit.${err.body?.scope || "tip"}`, { left: money(err.body?.left ?? 0) }) : errorText(err);
    } finally {
      this.sending = false;
      this.render();
    }
  }

  // A `gift` event of the room's ticks: a banner, or the count of one already showing.
  shown(event) {
    const key = `${event.senderId}:${event.giftId}`;
    const known = this.banners.get(key);
    if (known) {
      known.count += event.quantity;
      known.countEl.textContent = `×${known.count}`;
      known.el.classList.remove("bump");
      void known.el.offsetWidth; // restart the bump animation
      known.el.classList.add("bump");
      clearTimeout(known.timer);
      known.timer = setTimeout(() => this.drop(key), Math.max(SHOW_MS, COMBO_MS));
    } else {
      while (this.banners.size >= MAX_BANNERS) this.drop(this.banners.keys().next().value);
      const countEl = h("span", { class: "gift-count" }, `×${event.quantity}`);
      const name = lang() === "zh-CN" || !event.giftNameEn ? event.giftName : event.giftNameEn;
      const el = h("div", { class: "gift-banner", dataset: { tipId: event.tipId, giftId: event.giftId } },
        h("span", { class: "gift-who" }, h("strong", {}, event.senderName || ""), h("span", {}, t("gifts.sent", { gift: name }))),
        h("img", { src: event.icon, alt: name, width: 36, height: 36 }), countEl);
      this.stage.append(el);
      this.banners.set(key, { el, countEl, count: event.quantity, timer: setTimeout(() => this.drop(key), SHOW_MS) });
    }
    if (this.tippers && event.senderTotal != null) {
      const mine = this.tippers.find((x) => x.userId === event.senderId);
      if (mine) mine.amount = event.senderTotal;
      else this.tippers.push({ userId: event.senderId, name: `${(event.senderName || "").slice(0, 1)}**`, amount: event.senderTotal });
      this.tippers.sort((a, b) => b.amount - a.amount || a.userId - b.userId);
      this.renderBoard();
    }
  }

  drop(key) {
    const banner = this.banners.get(key);
    if (!banner) return;
    clearTimeout(banner.timer);
    banner.el.remove();
    this.banners.delete(key);
  }

  renderBoard() {
    this.board.hidden = !this.tippers || !this.tippers.length;
    if (!this.tippers) return;
    this.board.replaceChildren(h("span", { class: "board-title" }, t("gifts.board")),
      h("ol", {}, ...this.tippers.slice(0, BOARD_SIZE).map((x) => h("li", {}, x.name))));
  }

  relabel() {
    this.renderBoard();
    if (this.sheet.isOpen) this.render();
  }
}
