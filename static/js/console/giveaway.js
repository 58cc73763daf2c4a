// The host's 福袋 panel: start a giveaway (prize, winners, duration, tasks), then watch it run
// (countdown, entries) and see its winners when it is drawn.
import { api } from "../api.js";
import { countdown, now } from "../clock.js";
import { act, h } from "../dom.js";
import { t } from "../i18n.js";
import { toFen } from "../money.js";

export class GiveawayPanel {
  constructor({ roomId, form, status, error, coupons }) {
    this.roomId = roomId;
    this.form = form;
    this.status = status;
    this.error = error;
    this.coupons = coupons;
    this.current = null;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(event.submitter, error, () => this.start());
    });
    form.prizeKind.addEventListener("change", () => this.showPrize());
    setInterval(() => this.render(), 1000);
  }

  async load() {
    const [current, coupons] = await Promise.all([
      api(`/api/rooms/${this.roomId}/giveaways/current`),
      api(`/api/rooms/${this.roomId}/coupons`).catch(() => []),
    ]);
    this.current = current;
    const list = Array.isArray(coupons) ? coupons : coupons.items || [];
    this.coupons.replaceChildren(...list.map((c) => h("option", { value: String(c.id) }, c.title)));
    this.showPrize();
    this.render();
  }

  showPrize() {
    const coupon = this.form.prizeKind.value === "coupon";
    this.form.querySelector("[data-prize=red_packet]").hidden = coupon;
    this.form.querySelector("[data-prize=coupon]").hidden = !coupon;
  }

  async start() {
    const f = this.form;
    const body = {
      title: f.title.value.trim(), prizeKind: f.prizeKind.value,
      winners: parseInt(f.winners.value, 10) || 1, durationMinutes: parseInt(f.duration.value, 10) || 5,
      watchMinutes: parseInt(f.watch.value, 10) || 0, requireFollow: f.follow.checked, onUnclaimed: f.unclaimed.value,
    };
    if (f.keyword.value.trim()) body.keyword = f.keyword.value.trim();
    if (body.prizeKind === "coupon") body.couponId = parseInt(f.coupon.value, 10);
    else {
      body.amount = toFen(f.amount.value);
      if (!body.amount) throw { code: "validation_error", detail: t("gwc.amount") };
    }
    this.current = await api(`/api/rooms/${this.roomId}/giveaways`, { method: "POST", body });
    this.render();
  }

  // Room events: a start, a draw or a redraw; the panel reads the giveaway again.
  onEvent() {
    this.load().catch(() => {});
  }

  render() {
    const g = this.current;
    if (!g) {
      this.status.textContent = t("gwc.none");
      return;
    }
    if (g.status === "running") {
      const left = Math.max(0, Date.parse(g.endsAt) - now());
      this.status.textContent = t("gwc.running", { title: g.title, time: countdown(left), n: g.entries });
    } else {
      const names = (g.winners || []).map((w) => w.name).join("、") || "—";
      this.status.textContent = t("gwc.drawnLine", { title: g.title, names });
    }
  }
}
