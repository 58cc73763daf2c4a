// Ban and unban from the users list and the user page: a required reason, an optional end.
import { api } from "../api.js";
import { toast } from "../dom.js";
import { t } from "../i18n.js";
import { askReason } from "./reason-dialog.js";

export async function banUser(user) {
  const done = await askReason({
    title: t("admin.ban.title", { name: user.username }),
    confirm: t("admin.ban.confirm"), danger: true,
    fields: [{ name: "until", type: "datetime-local", label: t("admin.ban.until"), hint: t("admin.ban.untilHint") }],
    onConfirm: ({ reason, values }) => api(`/api/admin/users/${user.id}/ban`, { method: "POST",
      body: values.until ? { reason, until: new Date(values.until).toISOString() } : { reason } }),
  });
  if (done) toast(t("admin.ban.done", { name: user.username }));
  return done;
}

export async function unbanUser(user) {
  const done = await askReason({
    title: t("admin.unban.title", { name: user.username }),
    confirm: t("admin.unban.confirm"),
    onConfirm: ({ reason }) => api(`/api/admin/users/${user.id}/unban`, { method: "POST", body: { reason } }),
  });
  if (done) toast(t("admin.unban.done", { name: user.username }));
  return done;
}

// Suspend or reinstate a host or a distributor.
export async function setSuspended(userId, name, kind, suspend) {
  const verb = suspend ? "suspend" : "reinstate";
  const done = await askReason({
    title: t(`admin.partners.${verb}Title`, { name, kind: t(`admin.role.${kind}`) }),
    confirm: t(`admin.partners.${verb}`), danger: suspend,
    onConfirm: ({ reason }) => api(`/api/admin/partners/${userId}/${verb}`, { method: "POST", body: { kind, reason } }),
  });
  if (done) toast(t(`admin.partners.${verb}Done`, { name }));
  return done;
}
