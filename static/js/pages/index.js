// The landing page: rooms live now (with their audience), then the ones coming up.
import { api } from "../api.js";
import { $, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime } from "../money.js";

let lists = { live: [], upcoming: [] };

function card(room, kind) {
  const session = room.session || {};
  const cover = session.coverUrl || room.coverUrl; // the broadcast's own cover, else the room's
  return h("a", { class: "card room-card", href: `/rooms/${room.id}` },
    h("div", { class: "cover" },
      cover ? h("img", { src: cover, alt: "" }) : h("span", { "aria-hidden": "true" }, (room.hostName || "?").slice(0, 1)),
      h("span", { class: `badge ${kind}` }, t(kind === "live" ? "home.live" : "home.upcoming"))),
    h("div", { class: "body" },
      h("h3", {}, room.title),
      h("div", { class: "muted" }, room.hostName),
      h("div", { class: "muted" }, kind === "live" ? t("home.online", { n: room.online || 0 })
        : session.scheduledAt ? t("home.startsAt", { time: dateTime(session.scheduledAt) }) : "")));
}

function render() {
  for (const kind of ["live", "upcoming"]) {
    const items = lists[kind];
    $(`#${kind}`).replaceChildren(...(items.length ? items.map((r) => card(r, kind)) : [h("p", { class: "empty" }, t("home.none"))]));
  }
}

async function load() {
  try {
    const [live, upcoming] = await Promise.all([api("/api/rooms?status=live&limit=50"), api("/api/rooms?status=upcoming&limit=50")]);
    lists = { live: live.items, upcoming: upcoming.items };
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

await boot();
onLangChange(render);
load();
setInterval(load, 30_000);
