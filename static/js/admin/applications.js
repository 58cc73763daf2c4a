// /admin/applications: who asked to become a host or a distributor; approve, or reject with a
// reason the applicant reads.
import { api } from "../api.js";
import { $, act, h, showError, toast } from "../dom.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime } from "../money.js";
import { adminPage } from "./nav.js";
import { askReason } from "./reason-dialog.js";
import { roleLabel, statusBadge } from "./words.js";

const TABS = ["pending", "approved", "rejected", ""];
let tab = "pending";
let items = [];

function renderTabs() {
  $("#tabs").replaceChildren(...TABS.map((name) => h("button", {
    type: "button", class: "small", "aria-pressed": String(name === tab), dataset: { tab: name || "all" },
    onclick: () => { tab = name; load(); },
  }, t(name ? `admin.status.${name}` : "admin.all"))));
}

async function reject(application) {
  const done = await askReason({
    title: t("admin.applications.rejectTitle", { name: application.username, role: roleLabel(application.role) }),
    confirm: t("admin.applications.reject"), danger: true,
    onConfirm: ({ reason }) => api(`/api/admin/role-applications/${application.id}/reject`, { method: "POST", body: { reason } }),
  });
  if (done) {
    toast(t("admin.applications.rejected"));
    await load();
  }
}

function render() {
  renderTabs();
  const cols = ["id", "user", "role", "note", "status", "created", "decided", "reason", "actions"];
  $("#applications").replaceChildren(h("table", { class: "admin-table" },
    h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col" }, t(`admin.applications.col.${c}`))))),
    h("tbody", {}, items.length ? items.map((a) => h("tr", { dataset: { applicationId: String(a.id), username: a.username || "" } },
      h("td", {}, String(a.id)),
      h("td", {}, h("a", { href: `/admin/users/${a.userId}` }, a.displayName || a.username || `#${a.userId}`),
        a.username ? h("div", { class: "muted" }, `@${a.username}`) : null),
      h("td", {}, roleLabel(a.role)),
      h("td", {}, a.note || ""),
      h("td", {}, statusBadge(a.status)),
      h("td", {}, dateTime(a.createdAt)),
      h("td", {}, dateTime(a.decidedAt)),
      h("td", {}, a.decisionReason || ""),
      h("td", { class: "actions" }, a.status === "pending" ? [
        h("button", { type: "button", class: "small primary", dataset: { approve: String(a.id) },
          "aria-label": `${t("admin.applications.approve")} ${a.username || a.userId}`,
          onclick: (event) => act(event.currentTarget, $("#error"), async () => {
            await api(`/api/admin/role-applications/${a.id}/approve`, { method: "POST" });
            toast(t("admin.applications.approved"));
            await load();
          }) }, t("admin.applications.approve")),
        h("button", { type: "button", class: "small danger", dataset: { reject: String(a.id) },
          "aria-label": `${t("admin.applications.reject")} ${a.username || a.userId}`,
          onclick: () => reject(a) }, t("admin.applications.reject")),
      ] : null)))
      : h("tr", {}, h("td", { colspan: String(cols.length), class: "empty" }, t("admin.applications.none"))))));
}

async function load() {
  try {
    items = await api(`/api/admin/role-applications${tab ? `?status=${tab}` : ""}`);
    items.reverse(); // newest first
    render();
  } catch (err) {
    showError(err, $("#error"));
  }
}

if (await adminPage()) {
  onLangChange(render);
  await load();
}
