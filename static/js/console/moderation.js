// Moderation in the console: from a chat line delete it, mute or ban its author for the chosen
// time, or make them a moderator; slow mode; the lists of who is muted or banned (until when, by
// whom) and of the moderators, each with a button to lift it; appointing a moderator by username.
import { api } from "../api.js";
import { act, h } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime } from "../money.js";

const who = (event) => `${event.name || event.username || `#${event.userId}`}`;

export class Moderation {
  constructor({ roomId, hostId, list, error, slowForm, duration = null, lists = null, appointForm = null, ok = null }) {
    Object.assign(this, { roomId, hostId, list, error, duration, lists, ok });
    this.state = null;
    slowForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const seconds = Math.max(0, parseInt(slowForm.seconds.value, 10) || 0);
      act(event.submitter, error, () => this.moderate({ action: "slow_mode", seconds }));
    });
    if (appointForm) {
      appointForm.addEventListener("submit", (event) => {
        event.preventDefault();
        const username = appointForm.username.value.trim();
        if (!username) return;
        act(event.submitter, error, async () => {
          await this.moderate({ action: "add_moderator", username });
          appointForm.username.value = "";
        });
      });
    }
  }

  // The chosen time in minutes; absent means until lifted.
  minutes() {
    const value = this.duration ? this.duration.value : "10";
    return value ? { minutes: Number(value) } : {};
  }

  async moderate(body) {
    if (this.ok) this.ok.textContent = "";
    const out = await api(`/api/rooms/${this.roomId}/moderation`, { method: "POST", body });
    if (this.ok && body.action !== "slow_mode" && body.action !== "delete_message") {
      this.ok.textContent = t(`mod.done.${body.action}`);
    }
    if (body.action !== "delete_message" && body.action !== "slow_mode") await this.load().catch(() => {});
    return out;
  }

  // --- the lists ------------------------------------------------------------------------------

  async load() {
    if (!this.lists) return null;
    this.state = await api(`/api/rooms/${this.roomId}/moderation`);
    this.render();
    return this.state;
  }

  // A moderation event from the room (this console or a moderator elsewhere): the lists change.
  onEvent(event) {
    if (event.action === "delete_message") this.removed(event.messageId);
    else if (event.action !== "slow_mode") this.load().catch(() => {});
  }

  render() {
    if (!this.lists || !this.state) return;
    const { muted, banned, moderators } = this.lists;
    const penalty = (p, lift, liftKey) => {
      const until = p.until ? t("mod.until", { time: dateTime(p.until) }) : t("mod.untilLifted");
      const button = h("button", { type: "button", class: "small", "aria-label": `${t(liftKey)}: ${p.name}` }, t(liftKey));
      button.addEventListener("click", () => act(button, this.error, () => this.moderate({ action: lift, userId: p.userId })));
      return h("li", { dataset: { userId: p.userId } },
        h("div", { class: "grow" }, h("b", {}, p.name), " ",
          h("span", { class: "muted" }, `${until} · ${t("mod.by", { name: p.byName })}${p.reason ? ` · ${p.reason}` : ""}`)),
        button);
    };
    const fill = (el, items, make) => el.replaceChildren(...(items.length ? items.map(make) : [h("li", { class: "empty" }, t("mod.none"))]));
    fill(muted, this.state.muted, (p) => penalty(p, "unmute", "mod.unmute"));
    fill(banned, this.state.banned, (p) => penalty(p, "unban", "mod.unban"));
    fill(moderators, this.state.moderators, (m) => {
      const button = h("button", { type: "button", class: "small", "aria-label": `${t("mod.remove")}: ${m.name}` }, t("mod.remove"));
      button.addEventListener("click", () => act(button, this.error, () => this.moderate({ action: "remove_moderator", userId: m.userId })));
      return h("li", { dataset: { userId: m.userId } },
        h("div", { class: "grow" }, h("b", {}, m.name), " ", h("span", { class: "muted" }, t("mod.since", { time: dateTime(m.since) }))),
        button);
    });
  }

  // --- the chat -------------------------------------------------------------------------------

  add(event) {
    const line = this.line(event);
    if (!line) return;
    this.list.append(line);
    this.trim();
    this.list.scrollTop = this.list.scrollHeight;
  }

  // Lines said before the console (re)loaded, oldest first: above the ones that came since.
  history(events) {
    const lines = events.map((e) => this.line(e)).filter(Boolean);
    this.list.prepend(...lines);
    this.trim();
    this.list.scrollTop = this.list.scrollHeight;
  }

  trim() {
    while (this.list.children.length > 200) this.list.firstElementChild.remove();
  }

  line(event) {
    if (event.id && [...this.list.children].some((li) => li.dataset.id === event.id)) return null;
    const mine = event.userId === this.hostId;
    const name = who(event);
    const button = (key, body) => {
      const b = h("button", { type: "button", class: "small", "aria-label": `${t(key)}: ${name} “${event.text}”` }, t(key));
      b.addEventListener("click", () => act(b, this.error, () => this.moderate(typeof body === "function" ? body() : body)));
      return b;
    };
    return h("li", { dataset: { id: event.id || "", userId: event.userId } },
      h("span", { class: "who" }, name), h("span", { class: "text" }, event.text),
      h("span", { class: "line-actions" },
        event.id ? button("console.delete", { action: "delete_message", messageId: event.id }) : null,
        mine ? null : button("console.mute", () => ({ action: "mute", userId: event.userId, ...this.minutes() })),
        mine ? null : button("console.ban", () => ({ action: "ban", userId: event.userId, ...this.minutes() })),
        mine ? null : button("mod.appointShort", { action: "add_moderator", userId: event.userId })));
  }

  removed(messageId) {
    for (const line of this.list.querySelectorAll("li")) if (line.dataset.id === messageId) line.remove();
  }
}
