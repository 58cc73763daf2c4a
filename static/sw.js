// The service worker, served at /sw.js so that its scope is the whole site
// (livecommerce/domains/outreach/push_controller.py). It shows what the server pushes
// (outreach/webpush.py: {title, body, url, unsubscribeUrl, tag, lang}) and, on a tap, opens the
// message's tracked link (which records the click, then leads to the room or product).
"use strict";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

// Only this site's pages are opened: a payload is ours, but a link that left the site would be
// a way to phish with our name on the notification.
function sameSite(url) {
  const home = new URL("/", self.location.origin).href;
  try {
    const parsed = new URL(url, self.location.origin);
    return parsed.origin === self.location.origin ? parsed.href : home;
  } catch {
    return home;
  }
}

function readPayload(event) {
  if (!event.data) return {};
  try {
    return event.data.json();
  } catch {
    return { body: event.data.text() };
  }
}

self.addEventListener("push", (event) => {
  const data = readPayload(event);
  const zh = String(data.lang || "zh-CN").startsWith("zh");
  const title = data.title || (zh ? "新消息" : "New message");
  const options = {
    body: data.body || "",
    tag: data.tag || undefined,
    lang: data.lang || undefined,
    icon: "/static/favicon.svg",
    data: { url: sameSite(data.url || "/"), unsubscribeUrl: data.unsubscribeUrl ? sameSite(data.unsubscribeUrl) : "" },
    actions: data.unsubscribeUrl ? [{ action: "unsubscribe", title: zh ? "退订" : "Unsubscribe" }] : [],
  };
  // A push must show a notification (userVisibleOnly): always one, even for a bad payload.
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const data = event.notification.data || {};
  const target = event.action === "unsubscribe" && data.unsubscribeUrl ? data.unsubscribeUrl : data.url || sameSite("/");
  event.waitUntil(self.clients.openWindow(target));
});

function keyBytes(base64url) {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

// The browser replaced the subscription (keys rotated, the old one expired): hand the new one to
// the server and forget the old, so notifications keep coming without a visit.
self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(
    (async () => {
      const key = await (await fetch("/api/push/vapid-public-key", { credentials: "same-origin" })).json();
      const fresh =
        event.newSubscription ||
        (await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.publicKey) }));
      await fetch("/api/me/push-subscriptions", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(fresh.toJSON()),
      });
      if (event.oldSubscription && event.oldSubscription.endpoint !== fresh.endpoint) {
        await fetch(`/api/me/push-subscriptions?endpoint=${encodeURIComponent(event.oldSubscription.endpoint)}`, {
          method: "DELETE",
          credentials: "same-origin",
        });
      }
    })(),
  );
});
