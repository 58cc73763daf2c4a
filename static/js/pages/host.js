// The host's home: their rooms (to open the console of), a new room; else how to become a host.
import { api } from "../api.js";
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime } from "../money.js";
import { requireLogin } from "../session.js";

let user = null;
let rooms = [];

function render() {
  $("#rooms").replaceChildren(...(rooms.length ? rooms.map((room) => {
    // The room's status by what happened: 未开播 / 即将开播 (with its start) / 直播中 / 已结束.
    const status = room.status || "none";
    return h("div", { class: "card" },
      h("h3", {}, room.title),
      h("p", {}, h("span", { class: `badge ${status}` }, t(`roomStatus.${status}`)), ` #${room.id}`,
        room.startsAt ? h("span", { class: "muted" }, ` · ${t("home.startsAt", { time: dateTime(room.startsAt) })}`) : null),
      h("a", { class: "button primary", href: `/host/rooms/${room.id}` }, t("host.open")));
  }) : [h("p", { class: "empty" }, t("host.noRooms"))]));
}

async function load() {
  try {
    rooms = (await api(`/api/rooms?hostId=${user.id}&limit=100`)).items;
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

$("#new-room").addEventListener("submit", (event) => {
  event.preventDefault();
  act(event.submitter, $("#new-room-error"), async () => {
    const room = await api("/api/rooms", { method: "POST", body: { title: $("#room-title").value.trim() } });
    location.assign(`/host/rooms/${room.id}`);
  });
});

// Where the applicant's host application stands, with the operator's reason for a rejection.
function showApplication(application) {
  const pending = application && application.status === "pending";
  $("#apply-host").hidden = pending;
  $("#apply-result").textContent = !application || application.status === "approved" ? ""
    : pending ? t("host.applicationPending")
      : t("host.applicationRejected", { reason: application.decisionReason || "" });
}

$("#apply-host").addEventListener("click", (event) => act(event.target, $("#error"), async () => {
  const out = await api("/api/me/roles", { method: "POST", body: { role: "host" } });
  if (out.status === "approved") location.reload();
  else showApplication(out);
}));

await boot();
user = await requireLogin();
if (user) {
  const isHost = user.roles.includes("host") || user.roles.includes("admin");
  $("#not-host").hidden = isHost;
  $("#host-home").hidden = !isHost;
  $("#manage-products").hidden = !isHost;
  onLangChange(render);
  if (isHost) load();
  else {
    const mine = await api("/api/me/roles").catch(() => []);
    showApplication(mine.filter((a) => a.role === "host").pop());
  }
}
