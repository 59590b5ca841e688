import uPlot from 'uplot';
import { formatClock, h } from './dom.js';

export interface Bar {
  label: string;
  value: number;
  /** Drawn hatched and greyed: a muted facet, an unknown label. */
  dim?: boolean;
}

/**
 * A horizontal bar chart on a canvas, sized to its container; labels use the page's font, so
 * Chinese and English render alike. `max` fixes the scale (1 for confidences).
 */
export function barChart(
  bars: Bar[],
  options: { max?: number; format?: (v: number) => string } = {},
): HTMLElement {
  const canvas = h('canvas', {
    class: 'bars',
    role: 'img',
    'aria-label': bars.map((b) => `${b.label} ${b.value}`).join(', '),
  });
  const wrap = h('div', { class: 'chart bars-wrap' }, canvas);
  const format = options.format ?? ((v: number) => v.toFixed(2));
  const draw = (): void => {
    const width = Math.max(200, wrap.clientWidth);
    const rowPx = 28;
    const height = Math.max(rowPx, bars.length * rowPx + 8);
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d');
    if (ctx === null) return;
    ctx.scale(ratio, ratio);
    const style = getComputedStyle(document.body);
    ctx.font = `13px ${style.fontFamily}`;
    const labelPx = Math.min(width * 0.4, 180);
    const valuePx = 48;
    const max = options.max ?? Math.max(1e-9, ...bars.map((b) => Math.abs(b.value)));
    bars.forEach((bar, k) => {
      const y = 4 + k * rowPx;
      ctx.fillStyle = bar.dim ? '#8a8f98' : '#1d2433';
      ctx.textBaseline = 'middle';
      ctx.textAlign = 'left';
      ctx.fillText(truncate(ctx, bar.label, labelPx - 8), 0, y + rowPx / 2 - 2);
      const span = width - labelPx - valuePx;
      const w = Math.max(1, (Math.abs(bar.value) / max) * span);
      ctx.fillStyle = bar.dim ? '#c9ccd2' : bar.value < 0 ? '#d9534f' : '#3b6fd8';
      ctx.fillRect(labelPx, y + 4, w, rowPx - 12);
      ctx.fillStyle = '#1d2433';
      ctx.textAlign = 'right';
      ctx.fillText(format(bar.value), width, y + rowPx / 2 - 2);
    });
  };
  requestAnimationFrame(draw);
  new ResizeObserver(() => draw()).observe(wrap);
  return wrap;
}

function truncate(ctx: CanvasRenderingContext2D, text: string, maxPx: number): string {
  if (ctx.measureText(text).width <= maxPx) return text;
  let out = text;
  while (out.length > 1 && ctx.measureText(`${out}…`).width > maxPx) out = out.slice(0, -1);
  return `${out}…`;
}

/** Whole-second tick steps: uPlot's own go down to milliseconds and read ":42.700" in a chart's first second. */
const TICK_STEPS_S = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 21_600, 43_200, 86_400,
];
/** The narrowest time span the chart shows, so its first points get a few ticks. */
const MIN_SPAN_S = 10;

/** The x scale's range: the data's, widened to at least {@link MIN_SPAN_S} ending at the newest point. */
function timeRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  const end = max ?? Date.now() / 1000;
  const start = min ?? end;
  return end - start < MIN_SPAN_S ? [end - MIN_SPAN_S, end] : [start, end];
}

export interface TimeSeries {
  el: HTMLElement;
  push(tSec: number, values: (number | null)[]): void;
  destroy(): void;
}

/** A live uPlot line chart of several series over time, keeping the last `keep` points. */
export function timeChart(
  series: { label: string; stroke: string; scale?: string }[],
  keep = 120,
): TimeSeries {
  const el = h('div', { class: 'chart time-chart' });
  const data: (number | null)[][] = [[], ...series.map(() => [])];
  let plot: uPlot | undefined;
  const size = () => ({ width: Math.max(280, el.clientWidth), height: 220 });
  const make = (): void => {
    plot = new uPlot(
      {
        ...size(),
        series: [
          { value: (_u, t) => (Number.isFinite(t) ? formatClock(t * 1000) : '--') },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.stroke,
            width: 2,
            scale: s.scale ?? 'y',
            spanGaps: true,
          })),
        ],
        axes: [
          { incrs: TICK_STEPS_S, space: 70, values: (_u, ticks) => ticks.map((t) => formatClock(t * 1000)) },
          { scale: 'y', label: series[0]?.label ?? '' },
          ...(series.some((s) => s.scale === 'ms')
            ? [{ scale: 'ms', side: 1, label: 'ms', grid: { show: false } }]
            : []),
        ],
        scales: { x: { time: true, range: timeRange } },
      },
      data as uPlot.AlignedData,
      el,
    );
  };
  const observer = new ResizeObserver(() => plot?.setSize(size()));
  requestAnimationFrame(() => {
    make();
    observer.observe(el);
  });
  return {
    el,
    push(tSec, values) {
      data[0]!.push(tSec);
      values.forEach((v, k) => {
        data[k + 1]?.push(v);
      });
      if (data[0]!.length > keep) for (const column of data) column.shift();
      plot?.setData(data as uPlot.AlignedData);
    },
    destroy() {
      observer.disconnect();
      plot?.destroy();
    },
  };
}
