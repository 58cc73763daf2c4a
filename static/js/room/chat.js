// The chat overlay: lines from ticks, host/moderator lines highlighted, join and system
// notices, deletion by a moderator, and the form that sends through the room socket.
import { h } from "../dom.js";
import { t } from "../i18n.js";

const MAX_LINES = 80;

export class Chat {
  constructor(list, form, errorRegion) {
    this.list = list;
    this.form = form;
    this.errorRegion = errorRegion;
    this.hostId = null;
    this.speakers = new Set(); // moderators' user ids
    this.send = () => false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = form.elements.text;
      const text = input.value.trim();
      if (!text) return;
      if (this.send({ type: "chat", text })) {
        input.value = "";
        this.errorRegion.textContent = "";
      }
    });
  }

  setRoom(room) {
    this.hostId = room.hostId;
    this.speakers = new Set(room.moderators || []);
  }

  add(event) {
    const fromHost = event.userId === this.hostId;
    const speaks = fromHost || this.speakers.has(event.userId) || event.priority;
    const line = h("li", { class: speaks ? "host" : "", dataset: { id: event.id || "" } },
      h("span", { class: "who" }, `${event.username || "?"}`), event.text);
    if (speaks) line.querySelector(".who").dataset.tag = fromHost ? t("room.host") : "✓";
    this.append(line);
  }

  notice(text) {
    this.append(h("li", { class: "notice" }, text));
  }

  remove(messageId) {
    for (const line of this.list.querySelectorAll("li")) {
      if (line.dataset.id && line.dataset.id === messageId) line.remove();
    }
  }

  append(line) {
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    this.list.append(line);
    while (this.list.children.length > MAX_LINES) this.list.firstElementChild.remove();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  enable(you, loginHref) {
    const input = this.form.elements.text;
    const loggedIn = Boolean(you);
    input.hidden = !loggedIn;
    this.form.querySelector("button[type=submit]").hidden = !loggedIn;
    const login = this.form.querySelector("#login-to-chat");
    login.hidden = loggedIn;
    login.href = loginHref;
  }
}
