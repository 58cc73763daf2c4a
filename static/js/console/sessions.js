// Broadcasts of the room: schedule one (title, start time, cover), change or call off a scheduled
// one, and the list of sessions with their figures and a link to each report.
import { api, uploadImage } from "../api.js";
import { act, h } from "../dom.js";
import { t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { badge, roomStatus } from "../room/state.js";
import { confirmDialog } from "./confirm.js";

// <input type="datetime-local"> speaks the viewer's local time without a zone.
function localInput(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function nextSlot() {
  const d = new Date(Date.now() + 60 * 60 * 1000);
  d.setMinutes(Math.ceil(d.getMinutes() / 5) * 5, 0, 0);
  return d.toISOString();
}

export const reportHref = (session) => `/host/sessions/${session.id}/report`;

export class SessionsPanel {
  constructor({ roomId, form, list, error, ok, callOffDialog, onChange }) {
    Object.assign(this, { roomId, form, list, error, ok, callOffDialog, onChange });
    this.sessions = [];
    this.editing = null;
    form.startsAt.value = localInput(nextSlot());
    form.startsAt.min = localInput(new Date().toISOString());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(event.submitter, error, () => this.submit());
    });
    form.querySelector("#s-cancel-edit").addEventListener("click", () => this.edit(null));
    form.cover.addEventListener("input", () => this.preview());
    form.coverFile.addEventListener("change", () => act(null, error, () => this.upload()));
  }

  preview() {
    const img = this.form.querySelector("#s-cover-preview");
    const url = this.form.cover.value.trim();
    img.hidden = !url;
    if (url) img.src = url;
  }

  async upload() {
    const file = this.form.coverFile.files[0];
    if (!file) return;
    const status = this.form.querySelector("#s-cover-status");
    status.textContent = t("console.coverUploading");
    try {
      const out = await uploadImage(file);
      this.form.cover.value = out.url;
      this.preview();
    } finally {
      status.textContent = "";
      this.form.coverFile.value = "";
    }
  }

  async submit() {
    this.ok.textContent = "";
    const form = this.form;
    const when = form.startsAt.value ? new Date(form.startsAt.value) : null;
    if (!form.title.value.trim() || !when || Number.isNaN(when.getTime())) {
      throw { code: "validation_error", detail: `${t("console.sessionTitle")} / ${t("console.startAt")}` };
    }
    const body = {
      title: form.title.value.trim(),
      scheduledAt: when.toISOString(),
      coverUrl: form.cover.value.trim(),
      hlsUrl: form.hlsUrl.value.trim(),
    };
    const saved = this.editing
      ? await api(`/api/sessions/${this.editing}`, { method: "PATCH", body })
      : await api(`/api/rooms/${this.roomId}/sessions`, { method: "POST", body });
    this.ok.textContent = this.editing ? t("console.saved") : t("console.published", { time: dateTime(saved.scheduledAt) });
    this.edit(null);
    await this.load();
    this.onChange?.(saved);
  }

  edit(session) {
    const form = this.form;
    this.editing = session ? session.id : null;
    form.title.value = session ? session.title : "";
    form.startsAt.value = localInput(session ? session.scheduledAt : nextSlot());
    form.cover.value = session ? session.coverUrl || "" : "";
    form.hlsUrl.value = session ? session.hlsUrl || "" : "";
    form.querySelector("#s-submit").textContent = t(session ? "console.saveChanges" : "console.publish");
    form.querySelector("#s-cancel-edit").hidden = !session;
    this.preview();
    if (session) form.title.focus();
  }

  async load() {
    this.sessions = await api(`/api/rooms/${this.roomId}/sessions?limit=20`);
    this.render();
    return this.sessions;
  }

  async callOff(session, button) {
    if (!(await confirmDialog(this.callOffDialog))) return;
    await act(button, this.error, async () => {
      await api(`/api/sessions/${session.id}`, { method: "DELETE" });
      if (this.editing === session.id) this.edit(null);
      await this.load();
      this.onChange?.(null);
    });
  }

  render() {
    if (!this.sessions.length) {
      this.list.replaceChildren(h("li", { class: "empty" }, t("console.noSessions")));
      return;
    }
    this.list.replaceChildren(...this.sessions.map((s) => {
      const status = roomStatus(s);
      const mark = h("span", {});
      badge(mark, status);
      const when = s.startedAt || s.scheduledAt || s.createdAt;
      const actions = [];
      if (s.status === "scheduled") {
        actions.push(h("button", { type: "button", class: "small", onclick: () => this.edit(s),
          "aria-label": `${t("console.edit")}: ${s.title}` }, t("console.edit")));
        const off = h("button", { type: "button", class: "small danger", "aria-label": `${t("console.callOff")}: ${s.title}` }, t("console.callOff"));
        off.addEventListener("click", () => this.callOff(s, off));
        actions.push(off);
      } else {
        actions.push(h("a", { class: "button small", href: reportHref(s), "aria-label": `${t("console.report")}: ${s.title}` }, t("console.report")));
      }
      return h("li", { dataset: { sessionId: s.id, status: s.status } },
        s.coverUrl ? h("img", { class: "thumb", src: s.coverUrl, alt: "" }) : h("span", { class: "thumb", "aria-hidden": "true" }),
        h("div", { class: "grow" },
          h("div", {}, mark, " ", h("b", {}, s.title)),
          h("div", { class: "muted" }, when ? dateTime(when) : "",
            s.status === "ended" ? ` · ${t("console.sessionFigures", { views: s.views, orders: s.orders, gmv: money(s.gmv) })}` : "",
            s.status === "scheduled" || s.reminders ? h("span", { class: "reminders" }, ` · ${t("console.reminders", { n: s.reminders || 0 })}`) : null)),
        ...actions);
    }));
  }
}
