// The room's video: native HLS where the browser has it (Safari, iOS), hls.js elsewhere,
// a poster when the session has no stream. hls.js is loaded only when a stream needs it.
//
// A stream that can't be reached or decoded is reported as "error" (never a black screen
// under a LIVE badge): a fatal hls.js error (network: the playlist or segments unreachable;
// media: after one recovery attempt), the video element's own error (native HLS), or no
// picture within LOAD_TIMEOUT_MS. The page shows a card whose button calls retry().
//
// States given to onState: "poster" (nothing to play), "loading", "playing", "error",
// "unsupported" (no HLS in this browser).

const LOAD_TIMEOUT_MS = 15_000;

export class Player {
  constructor(video, onState = () => {}) {
    this.video = video;
    this.onState = onState;
    this.hls = null;
    this.url = "";
    this.poster = "";
    this.timer = null;
    this.listeners = null;
    this.state = "poster";
    this.run = 0; // each play() call; late events of an earlier one are ignored
  }

  set(state, detail = "") {
    this.state = state;
    this.detail = detail;
    this.onState(state, detail);
  }

  stop() {
    clearTimeout(this.timer);
    this.listeners?.abort();
    this.listeners = null;
    if (this.hls) {
      this.hls.destroy();
      this.hls = null;
    }
  }

  retry() {
    return this.play(this.url, this.poster, { force: true });
  }

  async play(url, poster = "", { force = false } = {}) {
    const video = this.video;
    if (!force && url && url === this.url && (this.state === "playing" || this.state === "loading")) {
      video.poster = poster || "";
      return this.state; // the same stream: a fresh snapshot must not restart it
    }
    this.stop();
    const run = ++this.run;
    this.url = url || "";
    this.poster = poster || "";
    video.poster = this.poster;
    if (!url) {
      video.removeAttribute("src");
      video.load();
      this.set("poster");
      return this.state;
    }
    this.set("loading");
    const listeners = new AbortController();
    this.listeners = listeners;
    const fail = (why) => {
      if (run !== this.run || this.state === "error") return;
      this.stop();
      video.removeAttribute("src");
      video.load();
      this.set("error", why);
    };
    const shown = () => {
      if (run !== this.run) return;
      clearTimeout(this.timer);
      this.set("playing");
    };
    video.addEventListener("playing", shown, { signal: listeners.signal });
    video.addEventListener("loadeddata", shown, { signal: listeners.signal });
    this.timer = setTimeout(() => fail("timeout"), LOAD_TIMEOUT_MS);

    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.addEventListener("error", () => fail(`media ${video.error ? video.error.code : ""}`.trim()), { signal: listeners.signal });
      video.src = url;
    } else {
      let Hls;
      try {
        ({ default: Hls } = await import("/static/vendor/hls.js/hls.light.min.mjs"));
      } catch {
        fail("hls.js not loaded");
        return this.state;
      }
      if (run !== this.run) return this.state;
      if (!Hls.isSupported()) {
        this.stop();
        this.set("unsupported");
        return this.state;
      }
      const hls = new Hls({ lowLatencyMode: true, manifestLoadingMaxRetry: 2, levelLoadingMaxRetry: 2 });
      this.hls = hls;
      let recovered = false;
      hls.on(Hls.Events.ERROR, (_, data) => {
        if (!data.fatal) return; // hls.js retries those itself
        if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
          recovered = true;
          hls.recoverMediaError();
          return;
        }
        fail(data.details || data.type);
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    }
    video.muted = true; // autoplay is allowed muted; the viewer unmutes with the controls
    video.play().catch(() => {}); // refused autoplay is not a broken stream: loadeddata still says so
    return this.state;
  }
}
