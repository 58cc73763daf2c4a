// The host's staff (/host/staff): add an account (new, with an initial password, or an existing
// one by username), list, remove (the staff role is revoked at once).
import { api } from "../api.js";
import { $, act, h, showError, toast } from "../dom.js";
import { boot } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { dateTime } from "../money.js";
import { requireLogin } from "../session.js";

let staff = [];

function render() {
  $("#staff").replaceChildren(...(staff.length ? staff.map((s) => h("li", { class: "row spread", dataset: { userId: s.userId } },
    h("span", {}, h("b", {}, s.displayName), ` @${s.username} `, h("span", { class: "muted" }, t("crm.staff.since", { at: dateTime(s.addedAt) }))),
    h("button", { type: "button", class: "small danger", "aria-label": t("crm.staff.removeNamed", { name: s.username }),
      onclick: (event) => act(event.target, $("#error"), async () => {
        await api(`/api/host/staff/${s.userId}`, { method: "DELETE" });
        staff = staff.filter((x) => x.userId !== s.userId);
        render();
      }) }, t("crm.staff.remove")))) : [h("li", { class: "muted" }, t("crm.staff.none"))]));
}

$("#staff-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const body = { username: $("#staff-username").value.trim() };
  if ($("#staff-password").value) body.password = $("#staff-password").value;
  if ($("#staff-name").value.trim()) body.displayName = $("#staff-name").value.trim();
  act(event.submitter, $("#staff-error"), async () => {
    const added = await api("/api/host/staff", { method: "POST", body });
    staff = [...staff, added];
    $("#staff-form").reset();
    render();
    toast(t(added.created ? "crm.staff.created" : "crm.staff.added", { name: added.username }));
  });
});

await boot();
const user = await requireLogin();
if (user) {
  const isHost = user.roles.includes("host") || user.roles.includes("admin");
  $("#not-host").hidden = isHost;
  $("#staff-desk").hidden = !isHost;
  if (isHost) {
    onLangChange(render);
    try {
      staff = await api("/api/host/staff");
      render();
    } catch (err) {
      showError(err, $("#error"));
    }
  }
}
