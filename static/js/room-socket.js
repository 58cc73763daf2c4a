// The room's websocket: a snapshot on join, then numbered tick frames. A gap in `seq`
// means frames were lost (or the server changed): drop the socket and take a fresh
// snapshot, which is the truth. Closed sockets reconnect with backoff, except when the
// server said no for good (4003 banned, 4404 no such room).

const PING_MS = 20_000; // the server closes sockets silent for 60 s
const FINAL = { 4003: "banned", 4404: "not_found" };

// A guest is who the server says: it signs an id at the first handshake (cookie lc_guest and
// `guestId` in the snapshot); we keep it and send it back, as the cookie may be blocked. An id
// the server did not sign counts for nothing, so none is made up here.
const GUEST_KEY = "lc.guest";

function guestId() {
  try {
    return localStorage.getItem(GUEST_KEY) || "";
  } catch {
    return "";
  }
}

function keepGuestId(id) {
  try {
    if (typeof id === "string" && id) localStorage.setItem(GUEST_KEY, id);
  } catch {
    // storage refused (private mode): the cookie alone carries it
  }
}

export class RoomSocket {
  /**
   * handlers: onSnapshot(frame), onTick(frame), onError(frame), onResult(frame),
   * onStatus("connecting" | "live" | "reconnecting" | "banned" | "not_found" | "closed")
   */
  constructor(roomId, handlers) {
    this.roomId = roomId;
    this.handlers = handlers;
    this.seq = null;
    this.ws = null;
    this.attempt = 0;
    this.stopped = false;
    this.timer = null;
    this.pinger = null;
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const guest = guestId();
    const query = guest ? `?guest=${encodeURIComponent(guest)}` : "";
    return `${scheme}://${location.host}/ws/rooms/${this.roomId}${query}`;
  }

  connect() {
    this.stopped = false;
    this.status(this.attempt ? "reconnecting" : "connecting");
    const ws = new WebSocket(this.url());
    this.ws = ws;
    ws.onmessage = (message) => {
      if (ws !== this.ws) return;
      let frame;
      try {
        frame = JSON.parse(message.data);
      } catch {
        return;
      }
      this.receive(frame);
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      clearInterval(this.pinger);
      const final = FINAL[event.code];
      if (final) {
        this.stopped = true;
        this.status(final);
      } else if (!this.stopped) this.retry();
    };
  }

  receive(frame) {
    switch (frame.type) {
      case "snapshot":
        if (frame.guestId) keepGuestId(frame.guestId);
        this.seq = frame.seq;
        this.attempt = 0;
        clearInterval(this.pinger);
        this.pinger = setInterval(() => this.send({ type: "ping" }), PING_MS);
        this.status("live");
        this.handlers.onSnapshot?.(frame);
        break;
      case "tick":
        // Frames held back while our snapshot was made carry seq <= the snapshot's: their
        // events may still be news, so apply them, but only a jump forward is a gap.
        if (this.seq !== null && frame.seq > this.seq + 1) {
          this.resync();
          return;
        }
        if (this.seq === null || frame.seq > this.seq) this.seq = frame.seq;
        this.handlers.onTick?.(frame);
        break;
      case "error":
        this.handlers.onError?.(frame);
        break;
      case "pong":
        break;
      default:
        if (frame.type && frame.type.endsWith("_result")) this.handlers.onResult?.(frame);
    }
  }

  resync() {
    const old = this.ws;
    this.ws = null;
    this.seq = null;
    if (old) old.close(4000, "resync");
    this.attempt = 1;
    this.connect();
  }

  retry() {
    this.attempt += 1;
    this.status("reconnecting");
    const delay = Math.min(10_000, 500 * 2 ** Math.min(this.attempt - 1, 5)) * (0.75 + Math.random() / 2);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  status(value) {
    this.handlers.onStatus?.(value);
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    if (this.ws) this.ws.close(1000, "bye");
    this.ws = null;
    this.status("closed");
  }

  // For tests and the reconnect indicator: drop the socket as a network failure would.
  dropForTest() {
    if (this.ws) this.ws.close(4001, "test drop");
  }
}
