// The viewer's live room: wires the socket's snapshot and ticks to the parts of the stage.
import { api, errorText } from "../api.js";
import { track, trackBuySheet } from "../beacon.js";
import { $ } from "../dom.js";
import { langButton } from "../header.js";
import { apply, lang, onLangChange, t } from "../i18n.js";
import { sync } from "../clock.js";
import { mountMemberCard } from "../member-card.js";
import { Player } from "../player.js";
import { RoomSocket } from "../room-socket.js";
import { BuySheet } from "../room/buy-sheet.js";
import { Chat } from "../room/chat.js";
import { FlashSales } from "../room/flash.js";
import { Giveaway } from "../room/giveaway.js";
import { Gifts } from "../room/gifts.js";
import { RoomGroupBuys } from "../room/group-buy.js";
import { RoomCoupons } from "../room/coupons.js";
import { Hearts } from "../room/hearts.js";
import { RedPackets } from "../room/red-packet.js";
import { Remind } from "../room/remind.js";
import { Share } from "../room/share.js";
import { sheet } from "../room/sheets.js";
import { Showcase } from "../room/showcase.js";
import { RoomState } from "../room/state.js";
import { Ticker } from "../room/ticker.js";
import { loginUrl, me } from "../session.js";

const roomId = Number(location.pathname.split("/").filter(Boolean)[1]);
const stage = $("#main");
let room = null;
let counters = {};
let joinedOnce = false;

const socket = new RoomSocket(roomId, { onSnapshot, onTick, onError, onResult, onStatus });
const send = (frame) => socket.send(frame);
const chat = new Chat($("#chat"), $("#chat-form"), $("#chat-error"));
chat.send = send;
const hearts = new Hearts($("#like-button"), $("#hearts"), send);
const ticker = new Ticker($("#ticker"));
const bag = sheet($("#bag-sheet"));
const buy = new BuySheet($("#buy-sheet"), $("#buy-body"), { roomId, loginHref: loginUrl() });
let buying = null; // the product in the buy sheet, for its behaviour events
const sheetOpened = trackBuySheet($("#buy-body"), () => ({ roomId, productId: buying }));
const showcase = new Showcase({
  pinned: $("#pinned"), bagList: $("#bag-list"), bagCount: $("#bag-count"),
  onBuy: (item) => {
    bag.close();
    // A product opened in the room: the session's funnel counts it (never answered).
    send({ type: "view_product", productId: item.id });
    buying = item.id;
    sheetOpened();
    track("product_view", { roomId, productId: item.id });
    buy.open(item);
  },
});
const coupons = new RoomCoupons({ bagList: $("#bag-coupons"), bagSection: $("#bag-coupons-section"), drops: $("#drops"), loginHref: loginUrl() });
const isLive = () => Boolean(room && room.session && room.session.status === "live");
const packets = new RedPackets($("#rp-dialog"), $("#rp-body"), { socket, hostName: () => (room ? room.hostName : ""), loginHref: loginUrl(), isLive });
const share = new Share($("#share-sheet"), $("#share-body"), { roomId });
const gifts = new Gifts({ button: $("#gift-button"), dialog: $("#gift-sheet"), body: $("#gift-body"), stage: $("#gift-stage"), board: $("#gift-board"), roomId, loginHref: loginUrl(), isLive, sessionId: () => (isLive() ? room.session.id : null) });
const giveaway = new Giveaway({ badgeSlot: $("#giveaway-slot"), dialog: $("#giveaway-sheet"), body: $("#giveaway-body"), followSlot: $("#follow-slot"), chatForm: $("#chat-form"), roomId, send, loginHref: loginUrl() });
const groupBuys = new RoomGroupBuys({ slot: $("#group-in-buy"), dialog: $("#group-sheet"), body: $("#group-sheet-body"), roomId, loginHref: loginUrl(), buy, buyDialog: $("#buy-sheet") });
const flashSales = new FlashSales({ slot: $("#flash-slot"), dialog: $("#flash-sheet"), body: $("#flash-body"), loginHref: loginUrl() });
const state = new RoomState(stage, $("#state-panel"), $("#status-badge"), roomId);
let memberCard = false; // my tier with this host, at the top of the bag (fetched on first open)
$("#bag-button").addEventListener("click", () => {
  track("bag_open", { roomId });
  if (!memberCard && room) {
    memberCard = true;
    mountMemberCard($("#bag-member"), room.hostId);
  }
  bag.open();
});
$("#share-button").addEventListener("click", () => {
  track("share", { roomId });
  share.open();
});

function showOnline() {
  $("#online").textContent = t("room.online", { n: counters.online ?? room?.online ?? 0 });
}

// The room's likes (snapshot counters, then every tick), short as a phone shows them: 1.2万, 12K.
function showLikes() {
  const n = counters.likes ?? 0;
  $("#like-count").textContent = n > 0 ? new Intl.NumberFormat(lang(), { notation: "compact", maximumFractionDigits: 1 }).format(n) : "";
  $("#like-button").setAttribute("aria-label", n > 0 ? `${t("room.like")} · ${t("room.likes", { n })}` : t("room.like"));
}

// The session's own cover, else the room's.
const coverOf = (session) => (session && session.coverUrl) || (room && room.coverUrl) || "";

function showPlayback(status) {
  stage.dataset.stream = status;
  const live = room && room.session && room.session.status === "live";
  const broken = live && (status === "error" || status === "unsupported");
  $("#playback-error").hidden = !broken;
  $("#playback-error-hint").textContent = t(status === "unsupported" ? "player.unsupported" : "player.errorHint");
  $("#playback-retry").hidden = status === "unsupported";
}

const player = new Player($("#video"), showPlayback);
$("#playback-retry").addEventListener("click", () => player.retry());

function showStream(session) {
  const url = session && session.status === "live" ? session.hlsUrl : "";
  player.play(url, coverOf(session));
}

const remind = new Remind($("#remind"), $("#state-panel"));
function showState(session, report = null) {
  state.set(session, report, coverOf(session));
  remind.set(session);
}

function onSnapshot(frame) {
  const payload = frame.payload;
  room = payload;
  sync(payload.now);
  counters = frame.counters || {};
  document.title = `${payload.title} · ${payload.hostName}`;
  $("#host-name").textContent = payload.hostName;
  $("#host-avatar").textContent = (payload.hostName || "?").slice(0, 1);
  showOnline();
  showLikes();
  chat.setRoom(payload);
  chat.enable(payload.you, loginUrl());
  const loggedIn = Boolean(payload.you);
  buy.loggedIn = loggedIn;
  packets.loggedIn = loggedIn;
  showcase.set(payload.showcase, payload.pinned);
  coupons.set(payload.coupons, loggedIn);
  for (const packet of payload.redPackets || []) packets.offer(packet);
  gifts.set(payload.gifts, loggedIn);
  giveaway.set(payload.giveaway, payload.follow, loggedIn);
  groupBuys.set(payload.groupBuys, loggedIn);
  flashSales.set(payload.flashSales, loggedIn);
  showState(payload.session);
  showStream(payload.session);
  if (!joinedOnce) {
    chat.notice(t("room.joined"));
    if (payload.you && payload.you.muted) chat.notice(t("room.muted"));
    if (payload.slowModeSeconds) chat.notice(t("room.slowMode", { n: payload.slowModeSeconds }));
    joinedOnce = true;
  }
}

async function refreshShowcase() {
  try {
    const detail = await api(`/api/rooms/${roomId}`);
    room = { ...room, showcase: detail.showcase };
    showcase.set(detail.showcase, detail.showcase.find((p) => p.id === detail.pinnedProductId) || null);
  } catch (err) {
    $("#chat-error").textContent = errorText(err);
  }
}

const EVENTS = {
  chat: (e) => chat.add(e),
  pin: (e) => showcase.pin(e.product),
  unpin: () => showcase.pin(null),
  purchase: (e) => ticker.purchase(e),
  product: () => refreshShowcase(),
  coupon: (e) => coupons.dropped(e),
  gift: (e) => gifts.shown(e),
  giveaway: (e) => giveaway.started(e),
  group_buy: (e) => groupBuys.event(e),
  flash_sale: (e) => flashSales.started(e),
  flash_left: (e) => flashSales.left(e),
  giveaway_draw: (e) => giveaway.drawn(e),
  giveaway_redraw: (e) => giveaway.drawn(e),
  // "finished" tells the room a packet is all grabbed: nothing to offer.
  red_packet: (e) => { if (e.action !== "finished") packets.offer(e); },
  session: (e) => {
    room = { ...room, session: e.session };
    showState(e.session, e.report || null);
    showStream(e.session);
    if (e.session && e.session.status !== "live") packets.dismiss();
    if (e.status === "live") chat.notice(t("room.liveNow"));
  },
  moderation: (e) => {
    if (e.action === "delete_message") chat.remove(e.messageId);
    else if (e.action === "slow_mode") {
      room.slowModeSeconds = e.slowModeSeconds || 0;
      if (e.slowModeSeconds) chat.notice(t("room.slowMode", { n: e.slowModeSeconds }));
    } else if (e.action === "mute" && room.you && e.userId === room.you.userId) chat.notice(t("room.muted"));
    else if (e.action === "add_moderator") chat.speakers.add(e.userId);
    else if (e.action === "remove_moderator") chat.speakers.delete(e.userId);
  },
};

function onTick(frame) {
  for (const event of frame.events || []) EVENTS[event.type]?.(event);
  if (frame.counters && Object.keys(frame.counters).length) {
    const before = counters.likes ?? 0;
    counters = { ...counters, ...frame.counters };
    showOnline();
    showLikes();
    if (frame.counters.likes !== undefined && frame.counters.likes > before) hearts.float(Math.min(3, frame.counters.likes - before));
  }
}

function onError(frame) {
  if (packets.onError(frame)) return;
  $("#chat-error").textContent = errorText({ code: frame.code, detail: frame.detail });
  setTimeout(() => { $("#chat-error").textContent = ""; }, 4000);
}

function onResult(frame) {
  packets.onResult(frame);
}

function onStatus(status) {
  const conn = $("#conn");
  stage.dataset.conn = status;
  chat.connection(status);
  if (status === "live") hearts.flush(); // likes tapped while away
  if (status === "reconnecting") {
    conn.textContent = t("room.reconnecting");
    conn.hidden = false;
  } else if (status === "banned" || status === "not_found") {
    conn.textContent = t(status === "banned" ? "room.banned" : "room.notFound");
    conn.hidden = false;
    $("#chat-form").querySelectorAll("input, button").forEach((el) => { el.disabled = true; });
  } else conn.hidden = true;
}

function relabel() {
  apply();
  showOnline();
  showLikes();
  if (room) {
    showState(room.session);
    showPlayback(player.state);
    showcase.render();
    coupons.render();
    gifts.relabel();
    giveaway.render();
    groupBuys.relabel();
    flashSales.relabel();
  }
}

async function start() {
  apply();
  $(".lang-slot").replaceWith(langButton());
  onLangChange(relabel);
  const user = await me();
  share.user = user;
  socket.connect();
  window.lcRoom = { socket, player, state: () => ({ room, counters }) }; // for the browser tests
}

start();
