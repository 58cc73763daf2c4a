// The room's video: native HLS where the browser has it (Safari, iOS), hls.js elsewhere,
// a poster when the session has no stream. hls.js is loaded only when a stream needs it.

let current = null;

export async function play(video, url, poster = "") {
  if (current) {
    current.destroy();
    current = null;
  }
  video.poster = poster || "";
  if (!url) {
    video.removeAttribute("src");
    video.load();
    return "poster";
  }
  if (video.canPlayType("application/vnd.apple.mpegurl")) {
    video.src = url;
  } else {
    const { default: Hls } = await import("/static/vendor/hls.js/hls.light.min.mjs");
    if (!Hls.isSupported()) return "unsupported";
    current = new Hls({ lowLatencyMode: true });
    current.loadSource(url);
    current.attachMedia(video);
  }
  video.muted = true; // autoplay is allowed muted; the viewer unmutes with the controls
  video.play().catch(() => {});
  return "playing";
}
