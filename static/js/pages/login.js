// Log in, or sign up (then logged in at once); back to where the visitor came from.
import { api } from "../api.js";
import { $, act } from "../dom.js";
import { boot } from "../header.js";
import { t } from "../i18n.js";
import { dateTime } from "../money.js";
import { forget } from "../session.js";

let registering = false;
const form = $("#auth-form");

// Only a path of this site: the browser's own URL parser decides (it reads "/\\evil.example"
// as another host, which a prefix check would let through).
function next() {
  const target = new URLSearchParams(location.search).get("next") || "/";
  try {
    const url = new URL(target, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : "/";
  } catch {
    return "/";
  }
}

// A platform ban has its own words here (a room's ban, same code, says "removed from the room").
function platformBan(err) {
  if (err.code !== "banned") return err;
  const until = err.body && err.body.until;
  return { code: "account_banned", detail: until ? t("login.bannedUntil", { time: dateTime(until) }) : "" };
}

function setMode(register) {
  registering = register;
  $("#display-name-row").hidden = !register;
  for (const [selector, key] of [["#form-title", register ? "login.register" : "login.title"],
    ["#submit", register ? "login.submitRegister" : "login.submit"], ["#mode", register ? "login.toLogin" : "login.toRegister"]]) {
    $(selector).dataset.i18n = key;
    $(selector).textContent = t(key);
  }
  $("#password").autocomplete = register ? "new-password" : "current-password";
}

$("#mode").addEventListener("click", () => setMode(!registering));
form.addEventListener("submit", (event) => {
  event.preventDefault();
  act($("#submit"), $("#error"), async () => {
    const body = { username: form.username.value.trim(), password: form.password.value };
    if (registering && form.displayName.value.trim()) body.displayName = form.displayName.value.trim();
    await api(registering ? "/api/auth/register" : "/api/auth/login", { method: "POST", body })
      .catch((err) => { throw platformBan(err); });
    forget();
    location.assign(next());
  });
});

await boot();
setMode(new URLSearchParams(location.search).has("register"));
$("#username").focus();
