// uPlot time charts of the console and the session report. Times are epoch seconds (uPlot's
// default `ms: 1e-3`), shown in the viewer's zone.
import uPlot from "/static/vendor/uplot/uPlot.esm.js";

const MIN_SPAN = 300; // s: a chart spans at least five minutes

// The x range. uPlot widens a single point by 86,400 / ms "units", which in seconds mode is
// 86.4 million seconds: one sample drew an axis from 2027 to 2029. So an automatic range is
// pinned to the data (at least MIN_SPAN wide, ending at the last point); a zoom inside the
// data is kept.
export function timeRange(u, min, max) {
  const xs = u.data[0] || [];
  if (!xs.length) {
    const now = Math.floor(Date.now() / 1000);
    return [now - MIN_SPAN, now];
  }
  const first = xs[0];
  const last = xs[xs.length - 1];
  const inside = min != null && max != null && min >= first && max <= last && max > min;
  const zoomed = inside && (min > first || max < last);
  if (zoomed || (inside && max - min >= MIN_SPAN)) return [min, max];
  return [Math.min(first, last - MIN_SPAN), last + 5];
}

// Counts (viewers, orders, fen) from 0, with room above: uPlot would pad a flat 0 to ±100.
export function countRange(u, min, max) {
  return [0, Math.max(5, Math.ceil((max || 0) * 1.15))];
}

// series: [{ label, stroke, scale?, fill?, value? }]; y: the first y axis's options; axes: more y
// axes by scale name (each scale counts from 0 unless `scales` says otherwise).
export function timeChart(box, series, data, { height = 220, scales = {}, y = {}, axes = [] } = {}) {
  const counts = Object.fromEntries(series.map((s) => [s.scale || "y", { range: countRange }]));
  const width = Math.max(300, box.clientWidth);
  return new uPlot({
    width,
    height,
    series: [{}, ...series.map((s) => ({ width: 2, ...s }))],
    axes: [{}, y, ...axes],
    scales: { x: { time: true, range: timeRange }, ...counts, ...scales },
    cursor: { drag: { x: true, y: false } },
  }, data, box);
}

// Keep a chart as wide as its box (the console's grid and the report reflow).
export function fit(plot, box, height = 220) {
  const width = Math.max(300, box.clientWidth);
  if (plot && Math.abs(plot.width - width) > 20) plot.setSize({ width, height });
}
