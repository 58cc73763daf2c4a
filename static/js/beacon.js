// Behaviour events from the page (POST /api/events): queued, sent in batches of up to 50 a few
// seconds apart, and whatever is left when the page is hidden or closed goes with
// navigator.sendBeacon (or a keepalive fetch), which the browser delivers after the page is gone.
// Best effort by design: a lost batch is never retried and never shows an error.
// The server decides who (login or signed guest cookie), the host, the session and the time; the
// page says what happened, about which room/product, and how long ago (`ageMs`).
const URL = "/api/events";
const MAX_BATCH = 50; // the server's limit per call
const DELAY_MS = 5000;
const CHANNELS = new Set(["direct", "link", "poster", "qr", "wechat", "moments", "search", "push", "other"]);

const queue = [];
let timer = null;

// Where the viewer came from, as the link says (`?ch=wechat`); unknown values are left out.
const fromUrl = new URLSearchParams(location.search).get("ch");
const channel = CHANNELS.has(fromUrl) ? fromUrl : null;

function body(batch) {
  const now = Date.now();
  return JSON.stringify({
    events: batch.map((e) => {
      const out = { kind: e.kind, ageMs: Math.max(0, Math.min(600000, now - e.at)) };
      if (e.roomId) out.roomId = e.roomId;
      if (e.productId) out.productId = e.productId;
      if (channel) out.channel = channel;
      return out;
    }),
  });
}

function send(batch, leaving) {
  const payload = body(batch);
  if (leaving && navigator.sendBeacon) {
    // A Blob typed as JSON: the server takes application/json bodies only.
    if (navigator.sendBeacon(URL, new Blob([payload], { type: "application/json" }))) return;
  }
  fetch(URL, { method: "POST", body: payload, keepalive: true, credentials: "same-origin",
    headers: { "Content-Type": "application/json" } }).catch(() => {});
}

export function flush(leaving = false) {
  clearTimeout(timer);
  timer = null;
  while (queue.length) send(queue.splice(0, MAX_BATCH), leaving);
}

// kind: product_view | bag_open | sheet_add | checkout_start | share
export function track(kind, { roomId = null, productId = null } = {}) {
  if (!roomId && !productId) return;
  queue.push({ kind, roomId, productId, at: Date.now() });
  if (queue.length >= MAX_BATCH) flush();
  else if (!timer) timer = setTimeout(() => flush(), DELAY_MS);
}

// The buy sheet (room and product page): the first choice made in it is "added to the sheet",
// submitting it is "checkout started". Listened for on the sheet's body, so the sheet's own code
// needs no change: both events bubble up from its form.
export function trackBuySheet(body, where) {
  let added = false;
  body.addEventListener("input", () => {
    if (!added && where().productId) {
      added = true;
      track("sheet_add", where());
    }
  });
  body.addEventListener("submit", () => {
    if (where().productId) track("checkout_start", where());
  });
  return () => { added = false; }; // a new product opened: its first choice counts again
}

addEventListener("pagehide", () => flush(true));
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "hidden") flush(true);
});
