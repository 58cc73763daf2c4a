// The host console for one room: schedule broadcasts, go live / end (with a confirmation, then
// the session report), showcase and pin, coupon and red packet drops, moderation, and live stats
// fed by the same room socket the viewers use. A reload gets the chart, chat and order feed of
// the live session back from the API.
import { api } from "../api.js";
import { sync } from "../clock.js";
import { $, act, h, showError } from "../dom.js";
import { confirmDialog } from "../console/confirm.js";
import { couponForm, redPacketForm } from "../console/drops.js";
import { FlashPanel } from "../console/flash.js";
import { GiveawayPanel } from "../console/giveaway.js";
import { Moderation } from "../console/moderation.js";
import { RoomPromotions } from "../console/promotions-list.js";
import { reportHref, SessionsPanel } from "../console/sessions.js";
import { ShowcaseEditor } from "../console/showcase.js";
import { LiveStats } from "../console/stats.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime } from "../money.js";
import { badge, roomStatus } from "../room/state.js";
import { RoomSocket } from "../room-socket.js";
import { requireLogin } from "../session.js";

const roomId = Number(location.pathname.split("/").filter(Boolean)[2]);
const SAMPLE_MS = 5000;
const FEED = 100;
let room = null;
let orders = [];
let historyOf = null; // the live session whose history was loaded

const stats = new LiveStats($("#stat-cards"), $("#trend"));

function showSession(session) {
  const status = roomStatus(session);
  badge($("#session-status"), status);
  $("#go-live").disabled = status === "live";
  $("#end-live").disabled = status !== "live";
}

function feedLine(e) {
  return { buyer: e.buyer, product: e.product, quantity: e.quantity, ts: e.ts || Date.now() / 1000 };
}

function renderOrders() {
  $("#order-feed").replaceChildren(...orders.map((e) => h("li", {},
    h("span", { class: "grow" }, t("room.purchase", { buyer: e.buyer, product: e.product, quantity: e.quantity })),
    h("span", { class: "muted" }, dateTime(new Date(e.ts * 1000).toISOString())))));
}

async function refreshStats() {
  try {
    const out = await api(`/api/rooms/${roomId}/stats`);
    stats.update(out.counters, out.conversionBp);
  } catch {
    // the socket keeps the cards current; conversion waits for the next poll
  }
}

// What the live session showed before this page loaded: its curve, chat and paid orders.
async function loadHistory(session, moderation) {
  if (!session || session.status !== "live" || historyOf === session.id) return;
  historyOf = session.id;
  const [series, chat, feed] = await Promise.all([
    api(`/api/sessions/${session.id}/series`).catch(() => null),
    api(`/api/rooms/${roomId}/chat?limit=50`).catch(() => []),
    api(`/api/sessions/${session.id}/orders?limit=${FEED}`).catch(() => []),
  ]);
  if (series) stats.load(series);
  moderation.history(chat);
  const seen = orders.length;
  orders = [...orders, ...feed.map((o) => feedLine({ ...o, ts: Date.parse(o.paidAt) / 1000 }))].slice(0, FEED);
  if (feed.length || seen) renderOrders();
}

async function start() {
  const user = await boot();
  if (!(await requireLogin())) return;
  try {
    room = await api(`/api/rooms/${roomId}`);
    sync(room.now);
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
  const moderation = new Moderation({
    roomId, hostId: room.hostId, list: $("#console-chat"), error: $("#moderation-error"), slowForm: $("#slow-form"),
    duration: $("#mute-minutes"), ok: $("#moderation-ok"), appointForm: $("#appoint-form"),
    lists: { muted: $("#mod-muted"), banned: $("#mod-banned"), moderators: $("#mod-moderators") },
  });
  moderation.load().catch((err) => showError(err, $("#moderation-error")));
  $("#slow-seconds").value = String(room.slowModeSeconds || 0);
  couponForm($("#coupon-form"), roomId, $("#coupon-error"), $("#coupon-ok"));
  redPacketForm($("#rp-form"), roomId, $("#rp-error"), $("#rp-ok"));
  const promotions = new RoomPromotions({ roomId, coupons: $("#room-coupons"), packets: $("#room-red-packets") });
  promotions.load().catch(() => {});
  const giveaway = new GiveawayPanel({ roomId, hostId: room.hostId, form: $("#gw-form"), status: $("#gw-status"), error: $("#gw-error"), coupons: $("#gw-coupon"), skus: $("#gw-sku") });
  giveaway.load().catch((err) => showError(err, $("#gw-error")));
  const flash = new FlashPanel({ roomId, form: $("#flash-form"), list: $("#flash-list"), error: $("#flash-error"), ok: $("#flash-ok") });
  flash.load(room.showcase).catch((err) => showError(err, $("#flash-error")));

  const refreshRoom = async () => {
    room = { ...room, ...(await api(`/api/rooms/${roomId}`)) };
    showSession(room.session);
  };
  const sessions = new SessionsPanel({
    roomId, form: $("#schedule-form"), list: $("#sessions"), error: $("#schedule-error"), ok: $("#schedule-ok"),
    callOffDialog: $("#call-off-dialog"), onChange: () => refreshRoom().catch(() => {}),
  });
  sessions.load().catch((err) => showError(err, $("#schedule-error")));

  const socket = new RoomSocket(roomId, {
    onSnapshot: (frame) => {
      stats.update(frame.counters);
      room = { ...room, ...frame.payload };
      showSession(frame.payload.session);
      showcase.set(frame.payload.showcase, frame.payload.pinnedProductId);
      loadHistory(frame.payload.session, moderation);
    },
    onTick: (frame) => {
      for (const e of frame.events || []) {
        if (e.type === "chat") moderation.add(e);
        else if (e.type === "purchase") {
          orders = [feedLine(e), ...orders].slice(0, FEED);
          renderOrders();
        } else if (e.type === "moderation") moderation.onEvent(e);
        else if (e.type === "session") {
          room.session = e.session;
          showSession(e.session);
          sessions.load().catch(() => {});
        } else if (e.type === "pin") showcase.set(showcase.items, e.product.id);
        else if (e.type === "unpin") showcase.set(showcase.items, null);
        else if (e.type === "coupon" || e.type === "red_packet") promotions.refresh();
        else if (e.type.startsWith("giveaway")) giveaway.onEvent(e);
        else if (e.type === "flash_sale" || (e.type === "flash_left" && (e.ended || e.left === 0))) flash.refresh();
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
      room.session = session;
      historyOf = session.id; // a new session: nothing to load, its curve starts now
      stats.load(null);
      orders = [];
      renderOrders();
      showSession(session);
      sessions.load().catch(() => {});
    });
  });
  $("#end-live").addEventListener("click", async (event) => {
    const button = event.currentTarget;
    if (!(await confirmDialog($("#end-dialog")))) return;
    await act(button, $("#session-error"), async () => {
      const report = await api(`/api/rooms/${roomId}/end`, { method: "POST" });
      showSession(report);
      location.assign(reportHref(report));
    });
  });
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
  setInterval(() => promotions.refresh(), 20_000);
  onLangChange(() => {
    stats.relabel();
    showSession(room.session);
    showcase.render();
    sessions.render();
    promotions.render();
    giveaway.render();
    flash.render();
    moderation.render();
    renderOrders();
  });
  window.lcConsole = { socket, stats };
}

start();
