// My account (/me): the display name others see in chat (PATCH /api/me), and the ways to my
// orders, addresses, coupons and wallet.
import { api } from "../api.js";
import { $, act } from "../dom.js";
import { boot, mountHeader } from "../header.js";
import { onLangChange, t } from "../i18n.js";
import { mountMemberships } from "../member-card.js";
import { forget, requireLogin } from "../session.js";

let user = null;

function show() {
  $("#login-name").textContent = user ? t("me.username", { name: user.username }) : "";
}

async function start() {
  await boot();
  user = await requireLogin();
  if (!user) return;
  $("#display-name").value = user.displayName || "";
  show();
  onLangChange(show);
  mountMemberships($("#memberships"), $("#memberships-none")).catch(() => null); // my tiers
  $("#name-form").addEventListener("submit", (event) => {
    event.preventDefault();
    $("#name-ok").textContent = "";
    act(event.submitter, $("#name-error"), async () => {
      user = await api("/api/me", { method: "PATCH", body: { displayName: $("#display-name").value } });
      $("#display-name").value = user.displayName;
      $("#name-ok").textContent = t("me.saved");
      forget();
      await mountHeader(); // the header shows the new name
    });
  });
}

start();
