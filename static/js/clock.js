// The server's clock, as the API and the room snapshot tell it (`now`): countdowns run on it,
// so a phone whose clock is off still counts down to the right second.
let offset = 0; // server time minus this device's, in ms

export function sync(serverNow) {
  const at = serverNow ? Date.parse(serverNow) : NaN;
  if (!Number.isNaN(at)) offset = at - Date.now();
}

export function now() {
  return Date.now() + offset;
}

// "1d 02:03:04" / "02:03:04" for a duration in ms.
export function countdown(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const [d, ...hms] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  const text = hms.map((n) => String(n).padStart(2, "0")).join(":");
  return d ? `${d}d ${text}` : text;
}
