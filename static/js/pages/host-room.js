// The host console for one room: go live / end, showcase and pin, coupon and red packet
// drops, moderation, and live stats — fed by the same room socket the viewers use.
import { api } from "../api.js";
import { $, act, h, showError } from "../dom.js";
import { couponForm, redPacketForm } from "../console/drops.js";
import { Moderation } from "../console/moderation.js";
import { ShowcaseEditor } from "../console/showcase.js";
import { LiveStats } from "../console/stats.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime } from "../money.js";
import { RoomSocket } from "../room-socket.js";
import { requireLogin } from "../session.js";

const roomId = Number(location.pathname.split("/").filter(Boolean)[2]);
const SAMPLE_MS = 5000;
let room = null;
let orders = [];

const stats = new LiveStats($("#stat-cards"), $("#trend"));

function showSession(session) {
  const status = session ? session.status : "none";
  const badge = $("#session-status");
  badge.className = `badge ${status === "live" ? "live" : status === "scheduled" ? "upcoming" : "ended"}`;
  badge.textContent = status === "live" ? t("home.live") : status === "scheduled" ? t("home.upcoming") : t("home.ended");
  $("#go-live").disabled = status === "live";
  $("#end-live").disabled = status !== "live";
}

function renderOrders() {
  $("#order-feed").replaceChildren(...orders.map((e) => h("li", {},
    h("span", { class: "grow" }, t("room.purchase", { buyer: e.buyer, product: e.product, quantity: e.quantity })),
    h("span", { class: "muted" }, dateTime(new Date((e.ts || Date.now() / 1000) * 1000).toISOString())))));
}

async function refreshStats() {
  try {
    const out = await api(`/api/rooms/${roomId}/stats`);
    stats.update(out.counters, out.conversionBp);
  } catch {
    // the socket keeps the cards current; conversion waits for the next poll
  }
}

async function start() {
  const user = await boot();
  if (!(await requireLogin())) return;
  try {
    room = await api(`/api/rooms/${roomId}`);
  } catch (err) {
    showError(err, $("#session-error"));
    return;
  }
  if (room.hostId !== user.id && !user.roles.includes("admin")) {
    showError({ code: "forbidden" }, $("#session-error"));
  }
  document.title = `${room.title} · ${t("host.title")}`;
  $("#room-title").textContent = room.title;
  $("#viewer-link").href = `/rooms/${roomId}`;
  $("#viewer-link").textContent = `/rooms/${roomId}`;
  if (room.session && room.session.hlsUrl) $("#hls-url").value = room.session.hlsUrl;
  showSession(room.session);

  const showcase = new ShowcaseEditor({
    roomId, hostId: room.hostId, list: $("#showcase"), products: $("#products"), error: $("#showcase-error"),
    form: $("#product-form"), formError: $("#product-error"),
  });
  showcase.set(room.showcase, room.pinnedProductId);
  showcase.loadProducts().catch((err) => showError(err, $("#showcase-error")));
  const moderation = new Moderation({ roomId, hostId: room.hostId, list: $("#console-chat"), error: $("#moderation-error"), slowForm: $("#slow-form") });
  $("#slow-seconds").value = String(room.slowModeSeconds || 0);
  couponForm($("#coupon-form"), roomId, $("#coupon-error"), $("#coupon-ok"));
  redPacketForm($("#rp-form"), roomId, $("#rp-error"), $("#rp-ok"));

  const socket = new RoomSocket(roomId, {
    onSnapshot: (frame) => {
      stats.update(frame.counters);
      room = { ...room, ...frame.payload };
      showSession(frame.payload.session);
      showcase.set(frame.payload.showcase, frame.payload.pinnedProductId);
    },
    onTick: (frame) => {
      for (const e of frame.events || []) {
        if (e.type === "chat") moderation.add(e);
        else if (e.type === "purchase") {
          orders = [e, ...orders].slice(0, 100);
          renderOrders();
        } else if (e.type === "moderation" && e.action === "delete_message") moderation.removed(e.messageId);
        else if (e.type === "session") {
          room.session = e.session;
          showSession(e.session);
        }
        else if (e.type === "pin") showcase.set(showcase.items, e.product.id);
        else if (e.type === "unpin") showcase.set(showcase.items, null);
      }
      if (frame.counters && Object.keys(frame.counters).length) stats.update(frame.counters);
    },
    onError: (frame) => showError({ code: frame.code, detail: frame.detail }, $("#moderation-error")),
    onStatus: (status) => {
      $("#conn").hidden = status === "live" || status === "connecting";
      $("#conn").textContent = t("room.reconnecting");
    },
  });
  socket.connect();

  $("#session-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act($("#go-live"), $("#session-error"), async () => {
      const hlsUrl = $("#hls-url").value.trim();
      const session = await api(`/api/rooms/${roomId}/start`, { method: "POST", body: hlsUrl ? { hlsUrl } : {} });
      showSession(session);
    });
  });
  $("#end-live").addEventListener("click", (event) => act(event.target, $("#session-error"), async () => {
    const report = await api(`/api/rooms/${roomId}/end`, { method: "POST" });
    showSession(report);
  }));
  $("#host-chat").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("#host-chat-input");
    if (input.value.trim() && socket.send({ type: "chat", text: input.value.trim() })) input.value = "";
  });

  stats.render();
  stats.sample();
  refreshStats();
  setInterval(() => stats.sample(), SAMPLE_MS);
  setInterval(refreshStats, SAMPLE_MS);
  onLangChange(() => {
    stats.relabel();
    showSession(room.session);
    showcase.render();
    renderOrders();
  });
  window.lcConsole = { socket, stats };
}

start();
