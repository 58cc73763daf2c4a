// The host's own outreach settings on the outreach page: its IM group bots and SMS gateway
// (GET/PUT /api/host/outreach-channels; the URLs hold tokens, so the server answers them masked
// and a save names the saved ones it keeps by id), and a product's repurchase cycle (GET/PUT
// /api/host/products/{id}/repurchase-cycle: the host's days, or the cycle learned from repeat
// buyers). Both are the host's alone: a host's staff get 403 and the sections stay hidden.
import { api } from "../api.js";
import { $, act, h, showError, toast } from "../dom.js";
import { t } from "../i18n.js";

let channels = null; // { bots: [...], sms, botsLimit }, as last answered
let draft = { bots: [], sms: null }; // what the next save sends: {keep, label} or {url, label}

function keepOf(saved) {
  return { keep: saved.id, label: saved.label, shown: saved };
}

function renderChannels() {
  const list = $("#bots");
  list.replaceChildren(...draft.bots.map((bot, index) => {
    const what = bot.shown ? `${bot.shown.service} · ${bot.shown.url}` : bot.url;
    const remove = h("button", { type: "button", class: "small", "aria-label": `${t("reach.remove")} ${bot.label || what}` }, t("reach.remove"));
    remove.addEventListener("click", () => {
      draft.bots.splice(index, 1);
      renderChannels();
    });
    return h("li", { class: "row spread", dataset: { bot: String(index) } },
      h("span", {}, h("strong", {}, bot.label || t("reach.botUnnamed")), " ",
        h("span", { class: "muted" }, what), bot.shown ? "" : h("em", { class: "muted" }, ` (${t("reach.unsaved")})`)),
      remove);
  }));
  if (!draft.bots.length) list.append(h("li", { class: "muted" }, t("reach.noBots")));
  $("#bot-add").disabled = draft.bots.length >= (channels ? channels.botsLimit : 10);
  const sms = draft.sms;
  $("#sms-current").textContent = sms && sms.shown ? `${sms.shown.service} · ${sms.shown.url}`
    : sms ? `${sms.url} (${t("reach.unsaved")})` : t("reach.noSms");
  $("#sms-remove").hidden = !sms;
}

function resetDraft() {
  draft = {
    bots: channels.bots.map(keepOf),
    sms: channels.sms ? keepOf(channels.sms) : null,
  };
  renderChannels();
}

function body() {
  const entry = (e) => (e.keep ? { keep: e.keep, label: e.label } : { url: e.url, label: e.label });
  return { bots: draft.bots.map(entry), ...(draft.sms ? { sms: entry(draft.sms) } : {}) };
}

function wireChannels() {
  $("#bot-add").addEventListener("click", () => {
    const url = $("#bot-url").value.trim();
    if (!url) {
      $("#bot-url").focus();
      return;
    }
    draft.bots.push({ url, label: $("#bot-label").value.trim() });
    $("#bot-url").value = "";
    $("#bot-label").value = "";
    renderChannels();
  });
  $("#sms-set").addEventListener("click", () => {
    const url = $("#sms-url").value.trim();
    if (!url) {
      $("#sms-url").focus();
      return;
    }
    draft.sms = { url, label: "" };
    $("#sms-url").value = "";
    renderChannels();
  });
  $("#sms-remove").addEventListener("click", () => {
    draft.sms = null;
    renderChannels();
  });
  $("#channels-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act($("#channels-save"), $("#channels-error"), async () => {
      channels = await api("/api/host/outreach-channels", { method: "PUT", body: body() });
      resetDraft();
      toast(t("reach.saved"));
    });
  });
}

// -- repurchase cycles ----------------------------------------------------------------------

function showCycle(c) {
  const learned = c.learnedDays == null
    ? t("reach.cycleNotLearned", { n: c.repeatBuyers, min: c.minRepeatBuyers })
    : t("reach.cycleLearned", { days: c.learnedDays, n: c.repeatBuyers });
  const used = c.effectiveDays == null ? t("reach.cycleNone")
    : t(`reach.cycleUsed.${c.source}`, { days: c.effectiveDays, lead: c.leadDays });
  $("#cycle-info").replaceChildren(h("span", {}, learned), h("br"), h("strong", {}, used));
  $("#cycle-days").value = c.cycleDays == null ? "" : String(c.cycleDays);
}

// Answers that arrive after a newer read or a save are dropped: a slow read must not clear the
// days the host is typing, nor show the cycle of a product no longer picked.
let cycleTurn = 0;
let cycleShownFor = "";

async function loadCycle() {
  const id = $("#cycle-product").value;
  $("#cycle-error").textContent = "";
  if (!id || id === cycleShownFor) return;
  const turn = ++cycleTurn;
  cycleShownFor = id;
  try {
    const cycle = await api(`/api/host/products/${Number(id)}/repurchase-cycle`);
    if (turn === cycleTurn) showCycle(cycle);
  } catch (err) {
    cycleShownFor = "";
    if (turn === cycleTurn) showError(err, $("#cycle-error"));
  }
}

function wireCycles(products) {
  const select = $("#cycle-product");
  select.replaceChildren(...products.map((p) => h("option", { value: String(p.id) }, p.title)));
  $("#cycle-form").hidden = !products.length;
  $("#cycle-empty").hidden = Boolean(products.length);
  select.addEventListener("change", loadCycle);
  $("#cycle-form").addEventListener("submit", (event) => {
    event.preventDefault();
    act($("#cycle-save"), $("#cycle-error"), async () => {
      const raw = $("#cycle-days").value.trim();
      const cycleDays = raw === "" ? null : Number(raw);
      const turn = ++cycleTurn;
      const saved = await api(`/api/host/products/${Number(select.value)}/repurchase-cycle`,
        { method: "PUT", body: { cycleDays } });
      if (turn === cycleTurn) showCycle(saved);
      toast(t("reach.saved"));
    });
  });
  loadCycle();
}

// Shows both sections when the signed-in user is the host (not its staff).
export async function mountHostSettings(products) {
  try {
    channels = await api("/api/host/outreach-channels");
  } catch (err) {
    if (err.status !== 403) showError(err, $("#channels-error"));
    return;
  }
  $("#channels-card").hidden = false;
  $("#cycles-card").hidden = false;
  wireChannels();
  resetDraft();
  wireCycles(products);
}

export function relabelHostSettings() {
  if (channels) renderChannels();
}
