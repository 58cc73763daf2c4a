// The host's points rules (/host/points): earned per ¥1, days frozen, points per ¥1 at checkout
// and the cap, shown in the units a host thinks in and sent in the API's (basis points).
import { $, act, showError } from "../dom.js";
import { boot } from "../header.js";
import { t } from "../i18n.js";
import { pointsSettings, savePointsSettings } from "../points.js";
import { requireLogin } from "../session.js";

// "1.5" -> 150 basis points of a unit (two decimals at most), without floating point; null if not.
function hundredths(text, max) {
  const match = /^\s*(\d{1,6})(?:\.(\d{0,2}))?\s*$/.exec(String(text));
  if (!match) return null;
  const value = Number(match[1]) * 100 + Number((match[2] || "").padEnd(2, "0"));
  return value <= max ? value : null;
}

function wholeIn(text, min, max) {
  const value = /^\s*\d{1,6}\s*$/.test(String(text)) ? Number(text) : NaN;
  return value >= min && value <= max ? value : null;
}

function show(s) {
  $("#earn").value = String(s.earnBp / 100);
  $("#frozen-days").value = String(s.frozenDays);
  $("#rate").value = String(s.pointsPerYuan);
  $("#cap").value = String(s.capBp / 100);
}

function read() {
  const fields = [
    ["earnBp", hundredths($("#earn").value, 10000), "points.earnPerYuan", "#earn"],
    ["frozenDays", wholeIn($("#frozen-days").value, 0, 365), "points.frozenDays", "#frozen-days"],
    ["pointsPerYuan", wholeIn($("#rate").value, 1, 100000), "points.pointsPerYuan", "#rate"],
    ["capBp", hundredths($("#cap").value, 10000), "points.capPercent", "#cap"],
  ];
  const body = {};
  for (const [key, value, label, input] of fields) {
    $(input).removeAttribute("aria-invalid");
    if (value === null) {
      $(input).setAttribute("aria-invalid", "true");
      $(input).focus();
      throw { code: "validation_error", detail: t("points.bad", { field: t(label) }) };
    }
    body[key] = value;
  }
  return body;
}

await boot();
const user = await requireLogin();
if (user) {
  const isHost = user.roles.includes("host") || user.roles.includes("admin");
  $("#not-host").hidden = isHost;
  $("#points-form").hidden = !isHost;
  if (isHost) {
    try {
      show(await pointsSettings());
    } catch (err) {
      showError(err, $("#error"));
    }
    $("#points-form").addEventListener("submit", (event) => {
      event.preventDefault();
      $("#saved").textContent = "";
      act(event.submitter, $("#form-error"), async () => {
        show(await savePointsSettings(read()));
        $("#saved").textContent = t("points.saved");
      });
    });
  }
}
