// Live stats: counter cards from the room socket (and /stats for conversion and product clicks),
// plus the online trend drawn with uPlot: the session's saved curve (GET /api/sessions/{id}/series,
// so a reload keeps it), then one point per few seconds from the socket's counters.
import { now as serverNow } from "../clock.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money, percentBp } from "../money.js";
import { fit, timeChart } from "./chart.js";

const CARDS = ["online", "peak", "uniqueViewers", "views", "likes", "comments", "productClicks", "orders", "gmv", "conversion"];
const MAX_POINTS = 2000; // the saved curve (10 s apart) then live points 5 s apart

export class LiveStats {
  constructor(cards, chartBox) {
    this.cards = cards;
    this.chartBox = chartBox;
    this.counters = {};
    this.conversionBp = 0;
    this.series = [[], [], []]; // time (s), online, orders
    this.plot = null;
  }

  update(counters, conversionBp) {
    this.counters = { ...this.counters, ...counters };
    if (conversionBp !== undefined) this.conversionBp = conversionBp;
    this.render();
  }

  render() {
    const value = (key) => key === "gmv" ? money(this.counters.gmv || 0)
      : key === "conversion" ? percentBp(this.conversionBp) : String(this.counters[key] ?? 0);
    this.cards.replaceChildren(...CARDS.map((key) => h("div", { dataset: { counter: key } },
      h("div", { class: "label" }, t(`stats.${key}`)), h("div", { class: "stat", id: `stat-${key}` }, value(key)))));
  }

  // The saved curve of the session (a reload, or a new session: it replaces what was drawn).
  load(saved) {
    const t0 = saved && saved.t ? saved.t : [];
    this.series = [[...t0], [...(saved ? saved.online : [])], [...(saved ? saved.orders : [])]];
    this.trim();
    this.draw();
  }

  sample() {
    const [times, online, orders] = this.series;
    const now = Math.floor(serverNow() / 1000); // the saved curve's clock is the server's
    if (times.length && now <= times[times.length - 1]) return; // uPlot wants x ascending
    times.push(now);
    online.push(this.counters.online || 0);
    orders.push(this.counters.orders || 0);
    this.trim();
    this.draw();
  }

  trim() {
    const extra = this.series[0].length - MAX_POINTS;
    if (extra > 0) this.series = this.series.map((s) => s.slice(extra));
  }

  draw() {
    if (!this.plot) {
      this.plot = timeChart(this.chartBox, [
        { label: t("stats.online"), stroke: "#fe2c55", fill: "rgba(254,44,85,.08)" },
        { label: t("stats.orders"), stroke: "#1f4fbf", scale: "orders" },
      ], this.series, { axes: [{ scale: "orders", side: 1, grid: { show: false } }] });
    } else {
      this.plot.setData(this.series);
      fit(this.plot, this.chartBox);
    }
  }

  relabel() {
    if (this.plot) {
      this.plot.destroy();
      this.plot = null;
      this.draw();
    }
    this.render();
  }
}
