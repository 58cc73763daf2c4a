// /admin's figures (#overview-figures): today's GMV and orders in the business zone, the money
// the platform holds, and what waits for an operator (GET /api/admin/reports/overview). Silent
// for anyone but an admin: the page's gate (nav.js) says why.
import { api } from "../api.js";
import { h } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { money } from "../money.js";
import { me } from "../session.js";

let overview = null;

function card(key, value, isMoney, href) {
  const body = [h("div", { class: "label" }, t(`admin.overview.fig.${key}`)),
    h("div", { class: "stat" }, isMoney ? money(value) : String(value))];
  const attrs = { dataset: { figure: key, value: String(value) } };
  return href ? h("a", { ...attrs, href, class: "figure-link" }, body) : h("div", attrs, body);
}

function render() {
  const section = document.getElementById("overview-figures");
  if (!section || !overview) return;
  const p = overview.pendingMoney;
  const grid = h("div", { class: "figure-grid", id: "overview-grid" },
    card("gmvToday", overview.gmvToday, true, "/admin/reports"),
    card("ordersToday", overview.ordersToday, false, "/admin/reports"),
    card("escrow", p.escrow, true),
    card("held", p.withdrawalsHeld + p.payoutsHeld, true, "/admin/withdrawals"),
    card("commissions", p.commissionsPending + p.commissionsDue, true),
    card("moneyQueue", overview.moneyQueue, false, "/admin/withdrawals"),
    card("escalations", overview.openEscalations, false, "/admin/disputes"),
    card("overdue", overview.overduePayments, false, "/admin/reports"));
  if (overview.overduePayments > 0) grid.lastChild.classList.add("warning");
  section.querySelector("#overview-grid")?.remove();
  section.append(grid);
}

const user = await me();
if (user && (user.roles || []).includes("admin")) {
  try {
    overview = await api("/api/admin/reports/overview");
    render();
    onLangChange(render);
  } catch {
    // The figures are a convenience: the page's own parts still work without them.
  }
}
