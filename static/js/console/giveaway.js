// The host's 福袋 panel: start a giveaway (prize, winners, duration, tasks), then watch it run
// (countdown, entries) and see its winners when it is drawn. A product prize (实物) is one of the
// host's SKUs: its units are set aside from stock at the start, and each winner's claim becomes a
// zero-price order on the order desk, shipped like any other.
import { api } from "../api.js";
import { countdown, now } from "../clock.js";
import { act, h } from "../dom.js";
import { t } from "../i18n.js";
import { money, toFen } from "../money.js";

export class GiveawayPanel {
  constructor({ roomId, hostId, form, status, error, coupons, skus }) {
    this.roomId = roomId;
    this.hostId = hostId;
    this.skus = skus;
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
    const [current, coupons, products] = await Promise.all([
      api(`/api/rooms/${this.roomId}/giveaways/current`),
      api(`/api/rooms/${this.roomId}/coupons`).catch(() => []),
      api(`/api/products?hostId=${this.hostId}&includeOffShelf=true&limit=100`).catch(() => ({ items: [] })),
    ]);
    this.current = current;
    const list = Array.isArray(coupons) ? coupons : coupons.items || [];
    this.coupons.replaceChildren(...list.map((c) => h("option", { value: String(c.id) }, c.title)));
    const skus = (products.items || []).flatMap((p) => (p.skus || []).map((s) => h("option", { value: String(s.id) },
      `${p.title} · ${s.name} · ${money(s.price)} · ${t("console.stock")} ${s.stock}`)));
    this.skus.replaceChildren(...skus);
    this.showPrize();
    this.render();
  }

  showPrize() {
    const kind = this.form.prizeKind.value;
    for (const part of this.form.querySelectorAll("[data-prize]")) part.hidden = part.dataset.prize !== kind;
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
    else if (body.prizeKind === "product") {
      body.skuId = parseInt(f.sku.value, 10);
      if (!body.skuId) throw { code: "validation_error", detail: t("gwc.pickSku") };
    } else {
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
