// Moderation from the live chat: delete a line, mute or ban its author; slow mode.
import { api } from "../api.js";
import { act, h } from "../dom.js";
import { t } from "../i18n.js";

export class Moderation {
  constructor({ roomId, hostId, list, error, slowForm }) {
    Object.assign(this, { roomId, hostId, list, error });
    slowForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const seconds = Math.max(0, parseInt(slowForm.seconds.value, 10) || 0);
      act(event.submitter, error, () => this.moderate({ action: "slow_mode", seconds }));
    });
  }

  moderate(body) {
    return api(`/api/rooms/${this.roomId}/moderation`, { method: "POST", body });
  }

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
    const who = `${event.username}`;
    const button = (key, body) => {
      const b = h("button", { type: "button", class: "small", "aria-label": `${t(key)}: ${who} “${event.text}”` }, t(key));
      b.addEventListener("click", () => act(b, this.error, () => this.moderate(body)));
      return b;
    };
    return h("li", { dataset: { id: event.id || "", userId: event.userId } },
      h("span", { class: "who" }, who), h("span", { class: "text" }, event.text),
      event.id ? button("console.delete", { action: "delete_message", messageId: event.id }) : null,
      mine ? null : button("console.mute", { action: "mute", userId: event.userId, minutes: 10 }),
      mine ? null : button("console.ban", { action: "ban", userId: event.userId }));
  }

  removed(messageId) {
    for (const line of this.list.querySelectorAll("li")) if (line.dataset.id === messageId) line.remove();
  }
}
