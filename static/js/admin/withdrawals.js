// /admin/withdrawals: distributors' withdrawals and hosts' payouts waiting for review, oldest
// first, with what each requester still has; approve (after a confirmation) or reject with the
// reason the requester reads; and the latest decisions.
import { api } from "../api.js";
import { $, h, showError, toast } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money } from "../money.js";
import { formDialog } from "./form-dialog.js";
import { adminPage } from "./nav.js";
import { askReason } from "./reason-dialog.js";
import { statusBadge } from "./words.js";

// Each kind's decision endpoints (distribution's and payouts').
const BASE = { withdrawal: "/api/admin/withdrawals", payout: "/api/admin/payouts" };
let queue = null;

const who = (item) => `${item.displayName || item.username} (@${item.username})`;

async function approve(item) {
  const done = await formDialog({
    title: t(`admin.money.approveTitle.${item.kind}`, { name: item.displayName || item.username }),
    message: t("admin.money.approveMessage", { amount: money(item.amount), fee: money(item.fee), payout: money(item.payout) }),
    confirm: t("admin.money.approve"),
    onConfirm: () => api(`${BASE[item.kind]}/${item.id}/approve`, { method: "POST" }),
  });
  if (done) {
    toast(t("admin.money.approved", { amount: money(item.payout) }));
    await load();
  }
}

async function reject(item) {
  const done = await askReason({
    title: t(`admin.money.rejectTitle.${item.kind}`, { name: item.displayName || item.username, amount: money(item.amount) }),
    confirm: t("admin.money.reject"), danger: true,
    onConfirm: ({ reason }) => api(`${BASE[item.kind]}/${item.id}/reject`, { method: "POST", body: { reason } }),
  });
  if (done) {
    toast(t("admin.money.rejected"));
    await load();
  }
}

function pendingTable(items) {
  const cols = [["kind"], ["user"], ["amount", 1], ["fee", 1], ["payout", 1], ["destination"], ["note"],
    ["requested"], ["balance", 1], ["actions"]];
  return h("table", { class: "admin-table money-table" },
    h("thead", {}, h("tr", {}, cols.map(([c, num]) => h("th", { scope: "col", class: num ? "num" : "" }, t(`admin.money.col.${c}`))))),
    h("tbody", {}, items.length ? items.map((item) => h("tr", { dataset: { kind: item.kind, id: String(item.id), username: item.username } },
      h("td", {}, h("span", { class: "badge", dataset: { kind: item.kind } }, t(`admin.money.kind.${item.kind}`))),
      h("td", {}, h("a", { href: `/admin/users/${item.userId}` }, who(item))),
      h("td", { class: "num" }, money(item.amount)),
      h("td", { class: "num" }, money(item.fee)),
      h("td", { class: "num" }, money(item.payout)),
      h("td", {}, item.destination || t("admin.money.toWallet")),
      h("td", {}, item.note || ""),
      h("td", {}, dateTime(item.requestedAt)),
      h("td", { class: "num" }, money(item.available), h("div", { class: "muted" }, t("admin.money.heldNow", { held: money(item.held) }))),
      h("td", { class: "actions" },
        h("button", { type: "button", class: "small primary", dataset: { approve: "" },
          "aria-label": `${t("admin.money.approve")} ${who(item)} ${money(item.amount)}`, onclick: () => approve(item) },
        t("admin.money.approve")),
        h("button", { type: "button", class: "small danger", dataset: { reject: "" },
          "aria-label": `${t("admin.money.reject")} ${who(item)} ${money(item.amount)}`, onclick: () => reject(item) },
        t("admin.money.reject")))))
      : h("tr", {}, h("td", { colspan: String(cols.length), class: "empty" }, t("admin.money.none")))));
}

function recentTable(items) {
  const cols = [["kind"], ["user"], ["amount", 1], ["status"], ["reason"], ["decided"], ["decidedBy"]];
  return h("table", { class: "admin-table" },
    h("thead", {}, h("tr", {}, cols.map(([c, num]) => h("th", { scope: "col", class: num ? "num" : "" }, t(`admin.money.col.${c}`))))),
    h("tbody", {}, items.length ? items.map((item) => h("tr", { dataset: { kind: item.kind, id: String(item.id) } },
      h("td", {}, t(`admin.money.kind.${item.kind}`)),
      h("td", {}, h("a", { href: `/admin/users/${item.userId}` }, `@${item.username}`)),
      h("td", { class: "num" }, money(item.amount)),
      h("td", {}, statusBadge(item.status)),
      h("td", {}, item.decisionReason || ""),
      h("td", {}, dateTime(item.decidedAt)),
      h("td", {}, item.decidedBy || "")))
      : h("tr", {}, h("td", { colspan: String(cols.length), class: "empty" }, t("admin.money.noneDecided")))));
}

function render() {
  if (!queue) return;
  $("#summary").textContent = t("admin.money.summary", { n: queue.pendingCount, amount: money(queue.pendingAmount) });
  $("#pending").replaceChildren(pendingTable(queue.pending));
  $("#recent").replaceChildren(recentTable(queue.recent));
}

async function load() {
  try {
    queue = await api("/api/admin/money/queue");
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

if (await adminPage()) {
  onLangChange(render);
  await load();
}
