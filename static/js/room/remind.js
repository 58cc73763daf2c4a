// 开播提醒 (预约) on an upcoming room: a logged-in viewer asks to be told when the session goes
// live (tap again to take it back); a guest is sent to log in first. How many asked is shown too.
// The button's element lives in room.html; while the room is upcoming it sits in the state panel
// under the countdown, which RoomState redraws whole (a language change, a new session): an
// observer puts it back each time.
import { api } from "../api.js";
import { act, h } from "../dom.js";
import { t } from "../i18n.js";
import { loginUrl, me } from "../session.js";

export class Remind {
  constructor(el, panel) {
    this.el = el;
    this.panel = panel;
    this.session = null;
    this.state = null; // { count, reminded } from the API
    this.button = h("button", { type: "button", class: "primary", id: "remind-button", "aria-pressed": "false" });
    this.count = h("span", { class: "muted remind-count", id: "remind-count" });
    this.error = h("span", { class: "error", role: "alert" });
    el.replaceChildren(this.button, " ", this.count, this.error);
    this.button.addEventListener("click", () => this.toggle());
    new MutationObserver(() => this.place()).observe(panel, { childList: true });
  }

  // The room's session now (the snapshot, a session event, a language change).
  set(session) {
    const upcoming = Boolean(session && session.status === "scheduled");
    const changed = !this.session || !session || this.session.id !== session.id;
    this.session = upcoming ? session : null;
    this.el.hidden = !upcoming;
    if (!upcoming) return;
    if (changed) {
      this.state = null;
      this.load();
    }
    this.place();
    this.render();
  }

  place() {
    if (this.session && !this.panel.contains(this.el)) this.panel.append(this.el);
  }

  url() {
    return `/api/sessions/${this.session.id}/reminders`;
  }

  async load() {
    const id = this.session.id;
    const state = await api(this.url()).catch(() => null);
    if (this.session && this.session.id === id && state) {
      this.state = state;
      this.render();
    }
  }

  async toggle() {
    if (!this.session) return;
    if (!(await me())) {
      location.assign(loginUrl());
      return;
    }
    const reminded = Boolean(this.state && this.state.reminded);
    await act(this.button, this.error, async () => {
      this.state = await api(this.url(), { method: reminded ? "DELETE" : "POST" });
      this.render();
    });
  }

  render() {
    const reminded = Boolean(this.state && this.state.reminded);
    this.button.textContent = t(reminded ? "remind.done" : "remind.ask");
    this.button.setAttribute("aria-pressed", String(reminded));
    this.button.setAttribute("aria-label", t(reminded ? "remind.doneLabel" : "remind.ask"));
    this.button.classList.toggle("primary", !reminded);
    const n = this.state ? this.state.count : 0;
    this.count.textContent = n > 0 ? t("remind.count", { n }) : "";
  }
}
