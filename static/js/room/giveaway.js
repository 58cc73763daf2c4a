// 福袋 in the live room: a badge with the countdown, a sheet with the tasks and their state
// (已评论 / 已观看 3/5 分钟 / 已关注), entering by itself once they are done (the server decides:
// GET /api/giveaways/{id}/me), the draw with its winners (masked) and seed, and the claim. The
// 关注 button in the header is here too (the follow task, and the room's follower count).
// A product prize (实物) asks where it ships (the address book, as the buy sheet does) and becomes
// a zero-price order the host ships.
import { api } from "../api.js";
import { countdown, now } from "../clock.js";
import { act, h } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { AddressPicker } from "./buy-address.js";
import { sheet } from "./sheets.js";

const POLL_MS = 10_000; // watch progress while the tasks are not all done
const AFTER_COMMENT_MS = [800, 2500]; // the chat hook has run by then; asked twice to be sure

export class Giveaway {
  constructor({ badgeSlot, dialog, body, followSlot, chatForm, roomId, send, loginHref }) {
    this.badgeSlot = badgeSlot;
    this.body = body;
    this.followSlot = followSlot;
    this.roomId = roomId;
    this.send = send;
    this.loginHref = loginHref;
    this.sheet = sheet(dialog);
    this.giveaway = null;
    this.mine = null; // MyGiveaway
    this.follow = { followers: 0, following: false };
    this.loggedIn = false;
    this.claimed = null; // ClaimOut of this page's claim
    this.picker = null; // where a product prize ships, kept across renders
    this.error = "";
    this.timer = setInterval(() => this.tick(), 1000);
    this.poll = null;
    chatForm.addEventListener("submit", () => {
      const text = chatForm.elements.text.value;
      if (this.giveaway && this.giveaway.keyword && text.includes(this.giveaway.keyword)) this.afterComment();
    }, { capture: true }); // before the chat form's own handler empties the input
  }

  // The join snapshot: `giveaway` (running or just drawn, else null) and `follow`.
  set(giveaway, follow, loggedIn) {
    this.loggedIn = loggedIn;
    if (follow) this.follow = follow;
    this.giveaway = giveaway || null;
    this.mine = null;
    this.render();
    this.refresh();
  }

  started(event) {
    this.giveaway = event.giveaway;
    this.mine = null;
    this.claimed = null;
    this.picker = null;
    this.render();
    this.refresh();
  }

  // `giveaway_draw` and `giveaway_redraw`: the seed and this round's winners.
  drawn(event) {
    if (!this.giveaway || this.giveaway.id !== event.giveawayId) return;
    const earlier = (this.giveaway.winners || []).filter((w) => w.round !== event.round);
    const round = event.winners.map((w) => ({ ...w, round: event.round, status: "won" }));
    this.giveaway = { ...this.giveaway, status: "drawn", seed: event.seed, winners: [...earlier, ...round] };
    this.render();
    if (event.round > 1) {
      // A redraw, hours later (few viewers then): the lapsed prizes' state comes with the giveaway.
      api(`/api/giveaways/${event.giveawayId}`).then((g) => { this.giveaway = g; this.render(); }).catch(() => {});
    }
    this.refresh().then(() => { if (this.mineWon()) this.sheet.open(); }); // my prize, its deadline
  }

  async refresh() {
    clearTimeout(this.poll);
    if (!this.giveaway || !this.loggedIn) return;
    try {
      this.mine = await api(`/api/giveaways/${this.giveaway.id}/me`);
      this.error = "";
    } catch (err) {
      this.error = err.readable || String(err);
    }
    this.render();
    const pending = this.giveaway && this.giveaway.status === "running" && this.mine && !this.mine.entered && !this.mine.banned;
    if (pending) this.poll = setTimeout(() => this.refresh(), POLL_MS);
  }

  afterComment() {
    for (const ms of AFTER_COMMENT_MS) setTimeout(() => this.refresh(), ms);
  }

  mineWon() {
    const token = this.mine && this.mine.token;
    return Boolean(token && (this.giveaway.winners || []).some((w) => w.token === token));
  }

  tick() {
    const badge = this.badgeSlot.querySelector(".gw-time");
    if (badge) badge.textContent = this.timeText();
    const inSheet = this.body.querySelector(".gw-countdown");
    if (inSheet) inSheet.textContent = this.timeText();
  }

  timeText() {
    const g = this.giveaway;
    if (!g) return "";
    if (g.status !== "running") return t("gw.drawn");
    const left = Date.parse(g.endsAt) - now();
    return left > 0 ? t("gw.endsIn", { time: countdown(left).replace(/^00:/, "") }) : t("gw.drawing");
  }

  render() {
    this.renderFollow();
    const g = this.giveaway;
    if (!g) {
      this.badgeSlot.replaceChildren();
      this.sheet.close();
      return;
    }
    const badge = h("button", { type: "button", class: "gw-badge", id: "giveaway-badge", onclick: () => this.sheet.open() },
      h("span", { class: "gw-bag", "aria-hidden": "true" }, "福"),
      h("span", { class: "gw-name" }, t("gw.badge")),
      h("span", { class: "gw-time" }, this.timeText()));
    this.badgeSlot.replaceChildren(badge);
    // replaceChildren is the DOM's own: it would print a null, so the optional parts are filtered.
    this.body.replaceChildren(...[
      h("header", {}, h("h2", { id: "giveaway-title" }, `${t("gw.badge")} · ${g.title}`),
        h("button", { type: "button", class: "small", "data-close": true }, t("room.close"))),
      h("p", { class: "gw-prize" }, this.prizeText()),
      h("p", { class: "gw-countdown", role: "timer" }, this.timeText()),
      g.status === "running" ? this.tasks() : this.results(),
      this.error ? h("p", { class: "error", role: "alert" }, this.error) : null,
      this.fairness(),
    ].filter(Boolean));
  }

  prizeText() {
    const g = this.giveaway;
    const key = { coupon: "gw.prizeCoupon", product: "gw.prizeProduct" }[g.prizeKind] || "gw.prizeRedPacket";
    return t(key, { amount: money(g.prizeValue), n: g.winnersCount, title: g.prizeTitle || "" });
  }

  tasks() {
    const g = this.giveaway;
    if (!this.loggedIn) return h("p", {}, h("a", { class: "button primary", href: this.loginHref }, t("gw.login")));
    const m = this.mine || { commented: false, watchedSeconds: 0, followed: this.follow.following, entered: false };
    const items = [];
    if (g.keyword) {
      const sendIt = h("button", { type: "button", class: "small primary", id: "gw-send-keyword", onclick: () => this.comment() }, t("gw.sendKeyword"));
      items.push(this.task(t("gw.taskComment", { keyword: g.keyword }), m.commented, m.commented ? t("gw.commented") : sendIt, "comment"));
    }
    if (g.watchMinutes) {
      const minutes = Math.min(g.watchMinutes, Math.floor(m.watchedSeconds / 60));
      const done = m.watchedSeconds >= g.watchMinutes * 60;
      items.push(this.task(t("gw.taskWatch", { n: g.watchMinutes }), done, t("gw.watched", { a: minutes, n: g.watchMinutes }), "watch"));
    }
    if (g.requireFollow) {
      const followIt = h("button", { type: "button", class: "small primary", onclick: (e) => this.toggleFollow(e.currentTarget) }, t("follow.follow"));
      items.push(this.task(t("gw.taskFollow"), m.followed, m.followed ? t("gw.followed") : followIt, "follow"));
    }
    let state = t("gw.auto");
    if (m.banned) state = t("gw.banned");
    else if (m.entered) state = t("gw.entered");
    return h("div", {},
      h("h3", {}, t("gw.tasks")),
      items.length ? h("ul", { class: "gw-tasks" }, items) : null,
      h("p", { class: `gw-state${m.entered ? " in" : ""}`, id: "gw-state", role: "status" }, state),
      h("p", { class: "muted" }, t("gw.entries", { n: m.entries ?? g.entries })));
  }

  task(label, done, state, name) {
    return h("li", { class: done ? "done" : "", dataset: { task: name } },
      h("span", { class: "gw-check", "aria-hidden": "true" }, done ? "✓" : "○"),
      h("span", { class: "grow" }, label), h("span", { class: "gw-task-state" }, state));
  }

  comment() {
    if (this.send({ type: "chat", text: this.giveaway.keyword })) this.afterComment();
  }

  results() {
    const g = this.giveaway;
    const winners = (g.winners || []).filter((w) => w.status !== "lapsed");
    const list = winners.length
      ? h("ol", { class: "gw-winners", id: "gw-winners" }, winners.map((w) => h("li", {}, w.name, w.round > 1 ? ` (${t("gw.round", { n: w.round })})` : "")))
      : h("p", {}, t("gw.noWinners"));
    return h("div", {}, h("h3", {}, t("gw.winners")), list, this.prize());
  }

  prize() {
    if (!this.loggedIn || !this.mine) return null;
    if (!this.mineWon()) return this.mine.entered ? h("p", { class: "muted" }, t("gw.notWon")) : null;
    const g = this.giveaway;
    const status = this.claimed ? "claimed" : this.mine.winnerStatus;
    const box = h("div", { class: "gw-won", id: "gw-won" }, h("p", { class: "gw-won-title" }, t("gw.youWon")));
    const product = g.prizeKind === "product";
    if (status === "won") {
      const error = h("p", { class: "error", role: "alert" });
      const claim = h("button", { type: "button", class: "primary", id: "gw-claim" }, t("gw.claim"));
      if (product && !this.picker) {
        this.picker = new AddressPicker();
        this.picker.load();
      }
      claim.addEventListener("click", () => act(claim, error, async () => {
        let body;
        if (product) {
          try {
            body = { addressId: await this.picker.addressId() };
          } catch (err) {
            if (err.code !== "address_invalid") throw err;
            error.textContent = t("buy.addressMissing"); // shown beside its field as well
            return;
          }
        }
        this.claimed = await api(`/api/giveaways/${g.id}/claim`, body ? { method: "POST", body } : { method: "POST" });
        await this.refresh();
      }));
      if (product) box.append(h("p", { class: "muted" }, t("gw.claimAddress")), this.picker.element);
      box.append(claim, h("p", { class: "muted" }, t("gw.claimBy", { time: dateTime(this.mine.claimDeadline) })), error);
    } else if (status === "claimed") {
      let text = g.prizeKind === "coupon" ? t("gw.claimedCoupon") : t("gw.claimedRedPacket", { amount: money(g.prizeValue) });
      if (product) text = t("gw.claimedProduct");
      box.append(h("p", { class: "notice", role: "status" }, `${t("gw.claimed")} · ${text}`));
      const orderId = (this.claimed && this.claimed.orderId) || this.mine.orderId;
      if (orderId) box.append(h("a", { class: "button small", id: "gw-order", href: `/me/orders/${orderId}` }, t("gw.viewOrder")));
    } else box.append(h("p", { class: "muted" }, t("gw.lapsed")));
    return box;
  }

  fairness() {
    const g = this.giveaway;
    return h("details", { class: "gw-fair" }, h("summary", {}, t("gw.fairness")),
      h("p", {}, t("gw.seedHash")), h("code", {}, g.seedHash),
      g.seed ? h("p", {}, t("gw.seed")) : null, g.seed ? h("code", { id: "gw-seed" }, g.seed) : null,
      h("p", {}, h("a", { href: `/api/giveaways/${g.id}/entries`, target: "_blank", rel: "noopener" }, t("gw.entriesLink"))),
      h("p", { class: "muted" }, t("gw.verifyHint")));
  }

  renderFollow() {
    if (!this.loggedIn) {
      this.followSlot.replaceChildren(h("a", { class: "button small follow", href: this.loginHref }, `+ ${t("follow.follow")}`));
      return;
    }
    const following = this.follow.following;
    const button = h("button", { type: "button", class: `small follow${following ? " on" : ""}`, id: "follow-button", "aria-pressed": String(following),
      title: t("follow.count", { n: this.follow.followers }), onclick: (e) => this.toggleFollow(e.currentTarget) },
    following ? t("follow.following") : `+ ${t("follow.follow")}`);
    this.followSlot.replaceChildren(button);
  }

  async toggleFollow(button) {
    await act(button, null, async () => {
      const method = this.follow.following ? "DELETE" : "POST";
      this.follow = await api(`/api/rooms/${this.roomId}/follow`, { method });
      if (this.mine) this.mine = { ...this.mine, followed: this.follow.following };
      this.render();
      await this.refresh();
    });
  }
}
