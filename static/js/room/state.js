// The room's state panel and badge, by what really happened: never broadcast (未开播), a session
// coming up with its cover and a countdown on the server's clock (即将开播), live (panel hidden),
// or ended with a summary of the session (已结束; there is no replay).
import { api } from "../api.js";
import { countdown, now } from "../clock.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime } from "../money.js";

// A session's status -> what the room shows (the API's room `status`).
export function roomStatus(session) {
  if (!session) return "none";
  return { scheduled: "upcoming", live: "live", ended: "ended" }[session.status] || "none";
}

export function badge(el, status) {
  el.className = `badge ${status}`;
  el.textContent = t(`roomStatus.${status}`);
}

export class RoomState {
  constructor(stage, panel, badgeEl, roomId) {
    this.stage = stage;
    this.panel = panel;
    this.badge = badgeEl;
    this.roomId = roomId;
    this.timer = null;
  }

  set(session, report = null, cover = "") {
    clearInterval(this.timer);
    const status = roomStatus(session);
    this.stage.dataset.state = status;
    badge(this.badge, status);
    if (status === "live") this.panel.hidden = true;
    else if (status === "upcoming") this.upcoming(session, cover);
    else if (status === "ended") this.ended(session, report);
    else this.notStarted();
  }

  notStarted() {
    this.panel.replaceChildren(h("h2", {}, t("room.notStarted")), h("p", {}, t("room.comeBack")),
      h("a", { class: "button", href: "/" }, t("nav.home")));
    this.panel.hidden = false;
  }

  upcoming(session, cover) {
    const count = h("div", { class: "countdown", id: "countdown", role: "timer", "aria-live": "off" });
    const at = session.scheduledAt ? Date.parse(session.scheduledAt) : null;
    const tick = () => {
      const left = at === null ? 0 : at - now();
      count.textContent = left > 0 ? t("room.countdown", { time: countdown(left) }) : t("room.startsSoon");
      count.dataset.left = String(Math.max(0, Math.round(left / 1000)));
    };
    tick();
    this.timer = setInterval(tick, 1000);
    // replaceChildren() writes a null as the text "null": leave out what this session lacks.
    this.panel.replaceChildren(...[
      cover ? h("img", { class: "upcoming-cover", id: "upcoming-cover", src: cover, alt: session.title || "" }) : null,
      h("h2", {}, t("room.upcoming")),
      h("p", { class: "upcoming-title" }, session.title || ""),
      count,
      session.scheduledAt ? h("p", { class: "muted" }, t("home.startsAt", { time: dateTime(session.scheduledAt) })) : null,
    ].filter(Boolean));
    this.panel.hidden = false;
  }

  async ended(session, report) {
    const summary = h("p", { id: "summary" });
    this.panel.replaceChildren(h("h2", {}, t("room.ended")), summary, h("a", { class: "button", href: "/" }, t("nav.home")));
    this.panel.hidden = false;
    let figures = report;
    if (!figures) {
      figures = await api(`/api/rooms/${this.roomId}/sessions?limit=1`).then((list) => list[0], () => null);
    }
    if (figures) summary.textContent = t("room.summary", { views: figures.views ?? 0, likes: figures.likes ?? 0, orders: figures.orders ?? 0 });
  }
}
