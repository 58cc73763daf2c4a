// Live stats: counter cards from the room socket (and /stats for conversion), plus the
// online trend drawn with uPlot, one point per few seconds.
import uPlot from "/static/vendor/uplot/uPlot.esm.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { money, percentBp } from "../money.js";

const CARDS = ["online", "peak", "uniqueViewers", "likes", "comments", "orders", "gmv", "conversion"];
const MAX_POINTS = 720; // an hour at one point per 5 s

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

  sample() {
    const [times, online, orders] = this.series;
    times.push(Math.floor(Date.now() / 1000));
    online.push(this.counters.online || 0);
    orders.push(this.counters.orders || 0);
    if (times.length > MAX_POINTS) this.series.forEach((s) => s.shift());
    this.draw();
  }

  draw() {
    const width = Math.max(300, this.chartBox.clientWidth);
    if (!this.plot) {
      this.plot = new uPlot({
        width, height: 220,
        series: [{}, { label: t("stats.online"), stroke: "#fe2c55", width: 2, fill: "rgba(254,44,85,.08)" },
          { label: t("stats.orders"), stroke: "#1f4fbf", width: 2, scale: "orders" }],
        axes: [{}, {}, { scale: "orders", side: 1, grid: { show: false } }],
        scales: { x: { time: true } },
      }, this.series, this.chartBox);
    } else {
      this.plot.setData(this.series);
      if (Math.abs(this.plot.width - width) > 20) this.plot.setSize({ width, height: 220 });
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
