// My inbox (/me/inbox): messages newest first, read/unread, new ones arriving live (the header's
// socket re-dispatches them as "inbox" events), and my notification settings (#settings).
import { get, post, put } from "../api.js";
import { $, h, showError, toast } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { setUnread } from "../inbox-badge.js";
import { dateTime } from "../money.js";
import { pushSupported, wirePushButton } from "../push-subscribe.js";
import { requireLogin } from "../session.js";

let items = [];
let cursor = null;
let unread = 0;
let settings = null;

function showUnread() {
  $("#unread").textContent = unread ? t("inbox.unreadCount", { n: unread }) : t("inbox.allRead");
  $("#read-all").disabled = unread === 0;
  setUnread(unread);
}

async function markRead(item) {
  if (item.read) return;
  const answer = await post(`/api/me/inbox/${item.id}/read`);
  item.read = true;
  unread = answer.unread;
  render();
}

function itemView(item) {
  return h("li", { class: `inbox-item${item.read ? "" : " unread"}`, dataset: { id: String(item.id) } },
    h("h3", {}, item.read ? null : h("span", { class: "visually-hidden" }, t("inbox.unread") + " "), item.title),
    h("p", {}, item.body),
    h("div", { class: "meta" },
      h("span", { class: "muted" }, item.createdAt ? dateTime(item.createdAt) : ""),
      // The tracked link records the click, then leads to the message's page on this site.
      h("a", { class: "button small primary", href: item.trackedLink }, t("inbox.open")),
      item.read ? null : h("button", { type: "button", class: "small", onclick: () => markRead(item).catch((e) => showError(e, $("#error"))) },
        t("inbox.markRead"))));
}

function render() {
  const list = $("#items");
  if (!items.length) list.replaceChildren(h("li", { class: "empty muted" }, t("inbox.empty")));
  else list.replaceChildren(...items.map(itemView));
  $("#more").hidden = cursor === null;
  showUnread();
}

async function load(more = false) {
  const query = more && cursor ? `?before=${cursor}` : "";
  const page = await get(`/api/me/inbox${query}`);
  items = more ? items.concat(page.items) : page.items;
  cursor = page.nextCursor ?? null;
  unread = page.unread;
  render();
}

// Live: a new item goes on top; a count alone (read on another page) is just the count.
window.addEventListener("inbox", (event) => {
  const frame = event.detail;
  unread = frame.unread;
  if (frame.item && !items.some((i) => i.id === frame.item.id)) items.unshift(frame.item);
  render();
});

// Settings ------------------------------------------------------------------------------

function channelRow(c) {
  const id = `ch-${c.channel}`;
  const row = h("div", { class: "channel-row" },
    h("input", { type: "checkbox", id, checked: c.standing, disabled: !c.available, dataset: { channel: c.channel } }),
    h("label", { for: id, class: "name" }, t(`inbox.channel.${c.channel}`),
      c.available ? null : h("span", { class: "muted" }, ` (${t("inbox.unavailable")})`)));
  if (c.needsConsent && c.available) {
    row.append(h("span", { class: "muted" }, t("inbox.onceLeft", { n: c.onceLeft })),
      h("button", { type: "button", class: "small", onclick: () => grantOnce(c.channel) }, t("inbox.grantOnce")));
  }
  if (c.channel === "webpush" && c.available && pushSupported()) {
    const button = h("button", { type: "button", class: "small" }, t("push.off"));
    wirePushButton(button);
    row.append(button);
  }
  return row;
}

function renderSettings() {
  if (!settings) return;
  $("#channels").replaceChildren(...settings.channels.map(channelRow));
  const quiet = settings.quietHours;
  const custom = quiet && quiet !== "off";
  $("#quiet-default").checked = !quiet;
  $("#quiet-off").checked = quiet === "off";
  $("#quiet-custom").checked = custom;
  $("#quiet-default-label").textContent = t("inbox.quietDefault", { value: settings.effectiveQuietHours });
  if (custom) [$("#quiet-from").value, $("#quiet-to").value] = quiet.split("-");
  $("#time-zone").value = settings.timeZone;
  $("#time-zone").placeholder = t("inbox.timeZoneDefault", { value: settings.effectiveTimeZone });
  $("#lang").value = settings.lang;
  $("#email").value = settings.email;
  $("#muted-box").hidden = !settings.muted.length;
  $("#muted").replaceChildren(...settings.muted.map((m) => h("li", {},
    `${m.hostName} · ${t(`inbox.channel.${m.channel}`)} `,
    h("button", { type: "button", class: "small", onclick: () => save({ unmute: [{ channel: m.channel, hostId: m.hostId }] }) },
      t("inbox.unmute")))));
}

async function save(body) {
  const region = $("#settings-error");
  region.hidden = true;
  try {
    settings = await put("/api/me/notification-settings", body);
    renderSettings();
    toast(t("inbox.saved"));
  } catch (err) {
    showError(err, region);
  }
}

async function grantOnce(channel) {
  try {
    await post(`/api/me/consents/${channel}/once`);
    settings = await get("/api/me/notification-settings");
    renderSettings();
  } catch (err) {
    showError(err, $("#settings-error"));
  }
}

function formBody() {
  const choice = document.querySelector("input[name=quiet]:checked")?.value ?? "";
  return {
    channels: [...document.querySelectorAll("#channels input[type=checkbox]:not(:disabled)")]
      .map((box) => ({ channel: box.dataset.channel, standing: box.checked })),
    quietHours: choice === "custom" ? `${$("#quiet-from").value}-${$("#quiet-to").value}` : choice,
    timeZone: $("#time-zone").value.trim(),
    lang: $("#lang").value,
    email: $("#email").value.trim(),
  };
}

await boot();
if (await requireLogin()) {
  onLangChange(() => { render(); renderSettings(); });
  $("#more").addEventListener("click", () => load(true).catch((e) => showError(e, $("#error"))));
  $("#read-all").addEventListener("click", async () => {
    try {
      await post("/api/me/inbox/read-all");
      for (const item of items) item.read = true;
      unread = 0;
      render();
    } catch (err) {
      showError(err, $("#error"));
    }
  });
  $("#settings-form").addEventListener("submit", (event) => {
    event.preventDefault();
    save(formBody());
  });
  try {
    if (Intl.supportedValuesOf) {
      $("#zones").replaceChildren(...Intl.supportedValuesOf("timeZone").map((z) => h("option", { value: z })));
    }
  } catch { /* an old browser: the field still takes a typed zone */ }
  try {
    [settings] = await Promise.all([get("/api/me/notification-settings"), load()]);
    renderSettings();
  } catch (err) {
    showError(err, $("#error"));
  }
}
