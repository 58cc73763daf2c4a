// Web Push, turned on by a user's tap: ask for permission, register the service worker (/sw.js,
// scope /), subscribe with the site's VAPID key and hand the subscription to the server.
// The notification settings page calls enablePush(button) from the button's click handler
// (browsers only ask for permission on a user gesture) and disablePush(button) to stop.
import { api, get } from "./api.js";
import { t } from "./i18n.js";

export function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

export function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function sameKey(buffer, bytes) {
  if (!buffer) return false;
  const held = new Uint8Array(buffer);
  return held.length === bytes.length && held.every((b, i) => b === bytes[i]);
}

// The button says where things stand: on, off, denied (the browser's setting now decides),
// unsupported (no Web Push here: an old browser, or an iPhone outside a home-screen app).
function show(button, state, error) {
  if (!button) return;
  button.dataset.pushState = state;
  button.textContent = t(`push.${state}`);
  button.title = error ? String(error.readable || error.message || error) : "";
}

export async function currentSubscription() {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.getRegistration("/");
  return registration ? registration.pushManager.getSubscription() : null;
}

// Sets the button's first state without asking for anything.
export async function showPushState(button) {
  if (!pushSupported()) return show(button, "unsupported");
  if (Notification.permission === "denied") return show(button, "denied");
  const subscription = await currentSubscription().catch(() => null);
  show(button, subscription ? "on" : "off");
}

export async function enablePush(button) {
  if (!pushSupported()) {
    show(button, "unsupported");
    return false;
  }
  if (button) button.disabled = true;
  try {
    // First, while the tap still counts as a gesture: nothing awaited before it.
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      show(button, permission === "denied" ? "denied" : "off");
      return false;
    }
    const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    await navigator.serviceWorker.ready;
    const { publicKey } = await get("/api/push/vapid-public-key");
    const key = keyBytes(publicKey);
    let subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
      await subscription.unsubscribe(); // made for another key: the push service would refuse us
      subscription = null;
    }
    subscription ||= await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
    await api("/api/me/push-subscriptions", { method: "POST", body: subscription.toJSON() });
    show(button, "on");
    return true;
  } catch (error) {
    show(button, "error", error);
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}

export async function disablePush(button) {
  if (button) button.disabled = true;
  try {
    const subscription = await currentSubscription();
    if (subscription) {
      const endpoint = subscription.endpoint;
      await subscription.unsubscribe();
      await api(`/api/me/push-subscriptions?endpoint=${encodeURIComponent(endpoint)}`, { method: "DELETE" }).catch((error) => {
        if (error.status !== 404) throw error; // already forgotten by the server: fine
      });
    }
    show(button, "off");
    return true;
  } catch (error) {
    show(button, "error", error);
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}

// One button that toggles: what a settings row needs.
export function wirePushButton(button) {
  showPushState(button);
  button.addEventListener("click", () => (button.dataset.pushState === "on" ? disablePush(button) : enablePush(button)));
}
