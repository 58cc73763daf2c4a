// The header's bell: a link to /me/inbox with my unread count, kept live over my own socket
// (/ws/me). Every frame is also re-dispatched on window as an "inbox" event, so the inbox page
// adds new items without a socket of its own.
import { get } from "./api.js";
import { h } from "./dom.js";
import { onLangChange, t } from "./i18n.js";

let socket = null;
let retry = 1000;
let unread = 0;
const bells = new Set();

function paint() {
  for (const bell of bells) {
    const count = bell.querySelector(".inbox-count");
    count.textContent = unread > 99 ? "99+" : String(unread);
    count.hidden = unread === 0;
    bell.setAttribute("aria-label", unread ? t("inbox.bellUnread", { n: unread }) : t("inbox.bell"));
    bell.title = bell.getAttribute("aria-label");
  }
}

export function unreadCount() {
  return unread;
}

export function setUnread(n) {
  unread = Math.max(0, Number(n) || 0);
  paint();
}

function connect() {
  if (socket) return;
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  socket = new WebSocket(`${scheme}//${location.host}/ws/me`);
  socket.addEventListener("open", () => { retry = 1000; });
  socket.addEventListener("message", (event) => {
    let frame;
    try { frame = JSON.parse(event.data); } catch { return; }
    if (frame.type !== "inbox") return;
    setUnread(frame.unread);
    window.dispatchEvent(new CustomEvent("inbox", { detail: frame }));
  });
  socket.addEventListener("close", () => {
    socket = null;
    // Back off up to a minute: a server restart or a phone waking up reconnects by itself.
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 60_000);
  });
}

// Drawn, not an emoji: not every phone's font has one.
function bellIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  for (const [k, v] of Object.entries({ viewBox: "0 0 24 24", width: "20", height: "20", "aria-hidden": "true",
    fill: "none", stroke: "currentColor", "stroke-width": "2", "stroke-linecap": "round", "stroke-linejoin": "round" })) {
    svg.setAttribute(k, v);
  }
  for (const d of ["M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9", "M10.3 21a1.94 1.94 0 0 0 3.4 0"]) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  svg.classList.add("inbox-icon");
  return svg;
}

// The bell for a logged-in user's header; starts the count and the socket once per page.
export function inboxBell() {
  const here = location.pathname === "/me/inbox";
  const bell = h("a", { class: "inbox-bell", href: "/me/inbox", "aria-current": here ? "page" : false },
    bellIcon(),
    h("span", { class: "inbox-count", hidden: true }, "0"));
  bells.add(bell);
  paint();
  if (bells.size === 1) {
    document.head.append(h("link", { rel: "stylesheet", href: "/static/css/inbox-badge.css" }));
    onLangChange(paint);
    get("/api/me/inbox/unread-count").then((r) => setUnread(r.unread)).catch(() => {});
    connect();
  }
  return bell;
}
