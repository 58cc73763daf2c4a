// A host's payouts: settled takings, payout methods on file (shown masked), a withdrawal held
// until the platform reviews it, and the history with the platform's reasons.
import { api } from "../api.js";
import { $, act, h, showError } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime, money, percentBp, toFen } from "../money.js";
import { requireLogin } from "../session.js";

let summary = null;
let methods = [];
let history = [];

function render() {
  if (!summary) return;
  const cards = [["payouts.available", summary.available], ["payouts.held", summary.held],
    ["payouts.escrow", summary.escrow], ["payouts.paidOut", summary.paidOut]];
  $("#cards").replaceChildren(...cards.map(([key, fen]) => h("div", { class: "card", dataset: { card: key } },
    h("h3", {}, t(key)), h("div", { class: "stat" }, money(fen)))));
  $("#rules").textContent = t("payouts.rules", { min: money(summary.minimum), fee: percentBp(summary.feeBp) });
  const select = $("#method");
  const value = select.value;
  select.replaceChildren(...methods.map((m) => h("option", { value: String(m.id) }, m.label)));
  if (value) select.value = value;
  $("#methods").replaceChildren(...(methods.length ? methods.map((m) => h("li", {},
    h("span", { class: "grow" }, m.label),
    h("button", { type: "button", class: "small danger", "aria-label": `${t("payouts.remove")} ${m.label}`,
      onclick: (event) => act(event.target, $("#method-error"), async () => {
        await api(`/api/host/payout-methods/${m.id}`, { method: "DELETE" });
        await load();
      }) }, t("payouts.remove")))) : [h("li", { class: "muted" }, t("payouts.noMethods"))]));
  const cols = ["time", "amount", "fee", "payout", "destination", "status", "reason"];
  $("#history").replaceChildren(h("table", {},
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { class: ["amount", "fee", "payout"].includes(c) ? "num" : "" }, t(`payouts.col.${c}`))))),
    h("tbody", {}, history.length ? history.map((p) => h("tr", {},
      h("td", {}, dateTime(p.createdAt)), h("td", { class: "num" }, money(p.amount)), h("td", { class: "num" }, money(p.fee)),
      h("td", { class: "num" }, money(p.payout)), h("td", {}, p.destination),
      h("td", {}, h("span", { class: "badge" }, t(`payouts.status.${p.status}`))), h("td", {}, p.decisionReason || "")))
      : h("tr", {}, h("td", { colspan: String(cols.length), class: "empty" }, t("payouts.none"))))));
}

async function load() {
  try {
    [summary, methods, history] = await Promise.all([
      api("/api/host/payouts/summary"), api("/api/host/payout-methods"),
      api("/api/host/payouts?limit=50").then((page) => page.items)]);
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

$("#kind").addEventListener("change", () => { $("#bank-row").hidden = $("#kind").value !== "bank"; });

$("#method-form").addEventListener("submit", (event) => {
  event.preventDefault();
  act(event.submitter, $("#method-error"), async () => {
    const kind = $("#kind").value;
    await api("/api/host/payout-methods", { method: "POST", body: {
      kind, accountName: $("#account-name").value.trim(), accountNo: $("#account-no").value.trim(),
      bankName: kind === "bank" ? $("#bank-name").value.trim() : "" } });
    event.target.reset();
    $("#bank-row").hidden = true;
    await load();
  });
});

$("#withdraw-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("#withdraw-ok").textContent = "";
  act(event.submitter, $("#withdraw-error"), async () => {
    const amount = toFen($("#amount").value);
    if (!amount) throw { code: "validation_error", detail: t("payouts.amount") };
    const methodId = Number($("#method").value);
    if (!methodId) throw { code: "validation_error", detail: t("payouts.method") };
    const out = await api("/api/host/payouts", { method: "POST", body: { amount, methodId, note: $("#note").value.trim() } });
    $("#withdraw-ok").textContent = `${money(out.amount)} · ${t("payouts.submitted")}`;
    $("#amount").value = "";
    await load();
  });
});

await boot();
const user = await requireLogin();
if (user) {
  const isHost = user.roles.includes("host") || user.roles.includes("admin");
  $("#not-host").hidden = isHost;
  $("#payouts").hidden = !isHost;
  if (isHost) {
    onLangChange(render);
    load();
  }
}
