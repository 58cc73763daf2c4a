// uPlot charts of figures by calendar day (the business zone's days, as the server counted
// them): the x axis is the day's index, labelled with its date, so no browser zone moves a
// day. Money series are in fen, shown in yuan.
import uPlot from "/static/vendor/uplot/uPlot.esm.js";
import { money } from "../money.js";

const HEIGHT = 220;

// From 0, with room above (uPlot pads a flat 0 to ±100).
const fromZero = (u, min, max) => [0, Math.max(1, Math.ceil((max || 0) * 1.15))];

function label(days, i) {
  const day = days[Math.round(i)];
  return day ? day.slice(5) : "";
}

// series: [{ label, stroke, fill?, money?: bool, scale?: "y" | "n", get: (day) => number }];
// dayLabel names the x values in the legend.
export function dayChart(box, days, series, dayLabel = "") {
  const width = Math.max(300, box.clientWidth);
  const dates = days.map((d) => d.day);
  const scales = { x: { time: false, range: (u) => [-0.5, Math.max(0.5, dates.length - 0.5)] } };
  const axes = [{ values: (u, splits) => splits.map((i) => (Number.isInteger(i) ? label(dates, i) : "")), incrs: [1, 2, 5, 7, 14, 30] }];
  for (const scale of [...new Set(series.map((s) => s.scale || "y"))]) {
    scales[scale] = { range: fromZero };
    const isMoney = series.some((s) => (s.scale || "y") === scale && s.money);
    axes.push({ scale, side: scale === "y" ? 3 : 1, grid: { show: scale === "y" },
      values: (u, splits) => splits.map((v) => (isMoney ? money(v) : String(v))), size: isMoney ? 80 : 50 });
  }
  return new uPlot({
    width,
    height: HEIGHT,
    scales,
    axes,
    series: [{ label: dayLabel, value: (u, i) => (i == null ? "" : dates[i] || "") },
      ...series.map((s) => ({ label: s.label, stroke: s.stroke, fill: s.fill, width: 2, scale: s.scale || "y",
        points: { show: dates.length <= 45 },
        value: (u, v) => (v == null ? "" : s.money ? money(v) : String(v)) }))],
    cursor: { drag: { x: false, y: false } },
  }, [days.map((_, i) => i), ...series.map((s) => days.map(s.get))], box);
}

export function fitChart(plot, box) {
  const width = Math.max(300, box.clientWidth);
  if (plot && Math.abs(plot.width - width) > 20) plot.setSize({ width, height: HEIGHT });
}
