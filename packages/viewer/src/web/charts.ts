/**
 * Overlaid line charts (one per metric, one line per run) on uPlot: a small, well-kept canvas chart
 * library with a live legend (the hovered values of every run) and a crosshair. The legend is plain DOM,
 * so tests read the hover values from it.
 */
import uPlot from 'uplot';
import { formatNumber } from './dom';

export interface OverlaySeries {
  label: string;
  color: string;
  points: { x: number; y: number }[];
}

export interface OverlayChartSpec {
  title: string;
  xLabel: string;
  formatX: (x: number) => string;
  series: OverlaySeries[];
  width: number;
  /** Ticks only at whole numbers (epochs). */
  integerX?: boolean;
}

/** tab10, as the latent scatter uses for digits: distinct on white. */
export const RUN_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** uPlot wants one shared x array: the union of every run's x, each run null where it has no point. */
export function alignSeries(series: OverlaySeries[]): uPlot.AlignedData {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const columns = series.map((s) => {
    const byX = new Map(s.points.map((p) => [p.x, p.y]));
    return xs.map((x) => byX.get(x) ?? null);
  });
  return [xs, ...columns];
}

export function overlayChart(container: HTMLElement, spec: OverlayChartSpec): uPlot {
  const options: uPlot.Options = {
    title: spec.title,
    width: spec.width,
    height: 220,
    scales: { x: { time: false } },
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    // Away from the cursor the legend shows the latest point of each run instead of dashes.
    hooks: { ready: [showLatest], setCursor: [(u) => u.cursor.idx == null && showLatest(u)] },
    series: [
      { label: spec.xLabel, value: (_u, v) => (v === null || v === undefined ? '—' : spec.formatX(v)) },
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        spanGaps: true,
        points: { show: true, size: 5 },
        value: (_u: uPlot, v: number | null) => formatNumber(v, 6),
      })),
    ],
    axes: [
      { label: spec.xLabel, values: (_u, splits) => splits.map(spec.formatX), ...(spec.integerX ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] } : {}) },
      { size: 64, values: (_u, splits) => splits.map((v) => formatNumber(v, 4)) },
    ],
  };
  return new uPlot(options, alignSeries(spec.series), container);
}

function showLatest(u: uPlot): void {
  if (u.data[0].length > 0) u.setLegend({ idx: u.data[0].length - 1 }, false);
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
