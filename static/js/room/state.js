// The room's state panel: upcoming with a countdown, live (panel hidden), or ended with a
// summary of the session (there is no replay).
import { api } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const parts = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  const [d, ...hms] = parts;
  const text = hms.map((n) => String(n).padStart(2, "0")).join(":");
  return d ? `${d}d ${text}` : text;
}

export class RoomState {
  constructor(stage, panel, badge, roomId) {
    this.stage = stage;
    this.panel = panel;
    this.badge = badge;
    this.roomId = roomId;
    this.timer = null;
    this.report = null;
  }

  set(session, report = null) {
    clearInterval(this.timer);
    const status = !session ? "none" : session.status;
    this.stage.dataset.state = status;
    this.badge.className = `badge ${status === "live" ? "live" : status === "scheduled" ? "upcoming" : "ended"}`;
    this.badge.textContent = status === "live" ? t("home.live") : status === "scheduled" ? t("home.upcoming") : t("home.ended");
    if (status === "live") {
      this.panel.hidden = true;
    } else if (status === "scheduled") {
      this.upcoming(session);
    } else {
      this.ended(session, report);
    }
  }

  upcoming(session) {
    const count = h("div", { class: "countdown", id: "countdown" });
    const at = session.scheduledAt ? new Date(session.scheduledAt).getTime() : null;
    const tick = () => {
      const left = at === null ? 0 : at - Date.now();
      count.textContent = left > 0 ? t("room.countdown", { time: clock(left) }) : t("room.startsSoon");
    };
    tick();
    this.timer = setInterval(tick, 1000);
    this.panel.replaceChildren(h("h2", {}, t("room.upcoming")), h("p", {}, session.title || ""), count);
    this.panel.hidden = false;
  }

  async ended(session, report) {
    const summary = h("p", { id: "summary" });
    this.panel.replaceChildren(h("h2", {}, t("room.ended")), summary, h("a", { class: "button", href: "/" }, t("nav.home")));
    this.panel.hidden = false;
    if (!session) return;
    let figures = report;
    if (!figures) {
      figures = await api(`/api/rooms/${this.roomId}/sessions?limit=1`).then((list) => list[0], () => null);
    }
    if (figures) summary.textContent = t("room.summary", { views: figures.views ?? 0, likes: figures.likes ?? 0, orders: figures.orders ?? 0 });
  }
}
