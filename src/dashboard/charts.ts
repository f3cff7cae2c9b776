/**
 * Geometry for server-rendered SVG charts. Templates draw the shapes; every chart also gets a
 * table of the same numbers, so nothing is only visible as a picture. Sizes are in viewBox units
 * (the SVG scales to its container, down to a 320 px iframe).
 */
export const CHART = { width: 600, height: 220, left: 44, right: 12, top: 12, bottom: 36 } as const;

export interface Tick {
  at: number;
  label: string;
}

export interface BarChart {
  bars: { x: number; y: number; width: number; height: number; label: string; value: number }[];
  yTicks: Tick[];
  xTicks: Tick[];
  baseline: number;
}

const plotWidth = CHART.width - CHART.left - CHART.right;
const plotHeight = CHART.height - CHART.top - CHART.bottom;

/** Round tick steps (1, 2, 5 × 10^n) so axes read naturally. */
export function niceMax(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  return { top: Math.ceil(max / step) * step, step };
}

/** Evenly spaced labels, at most `max` of them, always including the last. */
function sparseTicks(labels: string[], positions: number[], max: number): Tick[] {
  const every = Math.max(1, Math.ceil(labels.length / max));
  return labels.map((label, i) => ({ at: positions[i], label })).filter((_, i) => i % every === 0 || i === labels.length - 1);
}

export function barChart(data: { label: string; value: number }[]): BarChart {
  const { top, step } = niceMax(Math.max(0, ...data.map((d) => d.value)));
  const slot = plotWidth / Math.max(1, data.length);
  const width = Math.max(1, slot * 0.8);
  const y = (v: number) => CHART.top + plotHeight - (v / top) * plotHeight;
  const bars = data.map((d, i) => ({
    x: CHART.left + i * slot + (slot - width) / 2,
    y: y(d.value),
    width,
    height: (d.value / top) * plotHeight,
    label: d.label,
    value: d.value,
  }));
  const yTicks: Tick[] = [];
  for (let v = 0; v <= top; v += step) yTicks.push({ at: y(v), label: String(v) });
  return { bars, yTicks, xTicks: sparseTicks(data.map((d) => d.label.slice(5)), bars.map((b) => b.x + width / 2), 6), baseline: y(0) };
}

export interface LineChart {
  path: string;
  points: { x: number; y: number; label: string; value: number }[];
  yTicks: Tick[];
  xTicks: Tick[];
  baseline: number;
}

/** A line over evenly spaced x (e.g. epochs), y within [yMin, yMax]. */
export function lineChart(data: { label: string; value: number }[], yMin: number, yMax: number): LineChart {
  const span = yMax - yMin || 1;
  const x = (i: number) => CHART.left + (data.length <= 1 ? plotWidth / 2 : (i / (data.length - 1)) * plotWidth);
  const y = (v: number) => CHART.top + plotHeight - ((Math.min(yMax, Math.max(yMin, v)) - yMin) / span) * plotHeight;
  const points = data.map((d, i) => ({ x: x(i), y: y(d.value), label: d.label, value: d.value }));
  const yTicks: Tick[] = [];
  for (let k = 0; k <= 4; k++) {
    const v = yMin + (k / 4) * span;
    yTicks.push({ at: y(v), label: v.toFixed(2) });
  }
  return {
    path: points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' '),
    points,
    yTicks,
    xTicks: sparseTicks(data.map((d) => d.label), points.map((p) => p.x), 8),
    baseline: y(yMin),
  };
}

export interface StackSegment {
  key: string;
  value: number;
  x: number;
  width: number;
}

/** One horizontal bar split into parts (e.g. recommendation outcomes); widths in viewBox units. */
export function stackedBar(parts: { key: string; value: number }[], width = CHART.width): StackSegment[] {
  const total = parts.reduce((s, p) => s + p.value, 0);
  let x = 0;
  return parts.map((p) => {
    const w = total ? (p.value / total) * width : 0;
    const seg = { key: p.key, value: p.value, x, width: w };
    x += w;
    return seg;
  });
}

/** `YYYY-MM-DD` for each of the last `days` days up to `now` (UTC, as statements store their day). */
export function lastDays(now: Date, days: number): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(new Date(now.getTime() - i * 864e5).toISOString().slice(0, 10));
  return out;
}
