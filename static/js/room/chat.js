// The chat overlay: lines from ticks, host/moderator lines highlighted, join and system
// notices, deletion by a moderator, and the form that sends through the room socket.
import { h } from "../dom.js";
import { t } from "../i18n.js";

const MAX_LINES = 80;
// Lines typed while the socket is away wait for the next snapshot, a few of them and not for
// long: a line sent minutes late answers a conversation that has moved on.
const QUEUE_MAX = 3;
const QUEUE_MS = 30_000;
const GONE = new Set(["banned", "not_found", "closed"]);

export class Chat {
  constructor(list, form, errorRegion) {
    this.list = list;
    this.form = form;
    this.errorRegion = errorRegion;
    this.hostId = null;
    this.speakers = new Set(); // moderators' user ids
    this.send = () => false;
    this.username = "";
    this.status = "connecting";
    this.queued = []; // { text, line, timer }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const input = form.elements.text;
      const text = input.value.trim();
      if (!text) return;
      input.value = "";
      this.errorRegion.textContent = "";
      if (!this.send({ type: "chat", text })) this.hold(text);
    });
  }

  // The socket's state (RoomSocket.onStatus): back live, the held lines go; gone for good, they
  // fail where they stand.
  connection(status) {
    this.status = status;
    if (status === "live") this.flush();
    else if (GONE.has(status)) for (const entry of [...this.queued]) this.fail(entry);
  }

  hold(text) {
    const line = h("li", { class: "queued" }, h("span", { class: "who" }, this.username || "?"), text,
      h("span", { class: "state" }, t("room.chatQueued")));
    const entry = { text, line, timer: null };
    this.append(line);
    if (GONE.has(this.status) || this.queued.length >= QUEUE_MAX) {
      this.fail(entry);
      return;
    }
    entry.timer = setTimeout(() => this.fail(entry), QUEUE_MS);
    this.queued.push(entry);
  }

  flush() {
    for (const entry of this.queued.splice(0)) {
      clearTimeout(entry.timer);
      // Sent: the server's echo in a tick is the line; refusals (slow mode, mute) come as errors.
      if (this.send({ type: "chat", text: entry.text })) entry.line.remove();
      else this.fail(entry);
    }
  }

  // Said where it was typed, and the text handed back to the input to try again.
  fail(entry) {
    clearTimeout(entry.timer);
    this.queued = this.queued.filter((e) => e !== entry);
    entry.line.className = "unsent";
    entry.line.querySelector(".state").textContent = t("room.chatFailed");
    const input = this.form.elements.text;
    if (!input.value && !input.hidden) input.value = entry.text;
  }

  setRoom(room) {
    this.hostId = room.hostId;
    this.speakers = new Set(room.moderators || []);
  }

  add(event) {
    const fromHost = event.userId === this.hostId;
    const speaks = fromHost || this.speakers.has(event.userId) || event.priority;
    const line = h("li", { class: speaks ? "host" : "", dataset: { id: event.id || "" } },
      h("span", { class: "who" }, `${event.name || event.username || "?"}`), event.text);
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
    this.username = you ? you.name || you.username : "";
  }
}
