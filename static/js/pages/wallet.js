// My wallet: balances, a top-up through the gateway, and the statement in words.
import { api } from "../api.js";
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { has, onLangChange, t } from "../i18n.js";
import { dateTime, money, toFen } from "../money.js";
import { payInDialog } from "../pay-frame.js";
import { requireLogin } from "../session.js";

let wallet = null;
let entries = [];

// "订单 #12 付款", "红包", "充值" (the API's category and order, in the viewer's language); an
// order's line links to it. A category this page does not know yet shows the API's label.
function entryLabel(e) {
  const key = `wallet.entry.${e.category}`;
  const text = e.category && e.category !== "other" && has(key) ? t(key, { order: e.orderId ?? "" }) : e.label || e.kind;
  const account = e.accountKind && e.accountKind !== "wallet" && has(`wallet.${e.accountKind}`)
    ? h("div", { class: "muted" }, t(`wallet.${e.accountKind}`)) : null;
  return [e.orderId ? h("a", { href: `/me/orders/${e.orderId}` }, text) : text, account];
}

function render() {
  if (wallet) {
    const keys = ["available", "held", ...(wallet.escrow || wallet.receivable ? ["escrow", "receivable"] : [])];
    $("#balances").replaceChildren(...keys.map((k) => h("div", { class: "card" },
      h("h3", {}, t(`wallet.${k}`)), h("div", { class: "stat", id: `balance-${k}` }, money(wallet[k])))));
  }
  $("#entries").replaceChildren(...(entries.length ? entries.map((e) => h("tr", {},
    h("td", {}, dateTime(e.createdAt)), h("td", { class: "entry-label" }, entryLabel(e)),
    h("td", { class: "num" }, money(e.amount)), h("td", { class: "num" }, e.balanceAfter === null ? "" : money(e.balanceAfter))))
    : [h("tr", {}, h("td", { colspan: "4", class: "empty" }, "—"))]));
}

async function load() {
  try {
    [wallet, entries] = await Promise.all([api("/api/me/wallet"), api("/api/me/wallet/entries?limit=50").then((p) => p.items)]);
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

$("#topup").addEventListener("submit", (event) => {
  event.preventDefault();
  const button = event.submitter;
  act(button, $("#topup-error"), async () => {
    const amount = toFen($("#topup-amount").value);
    if (!amount) throw { code: "validation_error", detail: t("wallet.amount") };
    const before = wallet ? wallet.available : 0;
    const started = await api("/api/me/wallet/topup", { method: "POST", body: { amount } });
    payInDialog($("#pay-dialog"), $("#pay-body"), started.payUrl, {
      check: async () => (await api("/api/me/wallet")).available !== before,
      onDone: load,
    });
  });
});

await boot();
if (await requireLogin()) {
  onLangChange(render);
  load();
}
