import { formatNumber, svg } from './dom';

export interface Series {
  title: string;
  points: { x: number; y: number }[];
}

const WIDTH = 320;
const HEIGHT = 180;
const PAD = { left: 56, right: 12, top: 24, bottom: 30 };

/**
 * One small line chart per metric, each on its own y scale: ELBO (≈ −100s), MSE (≈ 0.0x) and
 * KL (≈ units) share no useful common axis.
 */
export function lineChart(series: Series): SVGElement {
  const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: 'chart', role: 'img', 'aria-label': series.title });
  root.append(svg('text', { x: PAD.left, y: 16, class: 'chart-title' }, series.title));
  if (series.points.length === 0) {
    root.append(svg('text', { x: WIDTH / 2, y: HEIGHT / 2, 'text-anchor': 'middle', class: 'chart-empty' }, 'no data'));
    return root;
  }
  const xs = series.points.map((p) => p.x);
  const ys = series.points.map((p) => p.y);
  const scaleX = linearScale(Math.min(...xs), Math.max(...xs), PAD.left, WIDTH - PAD.right);
  const scaleY = linearScale(Math.min(...ys), Math.max(...ys), HEIGHT - PAD.bottom, PAD.top);
  root.append(...axes(scaleX, scaleY, xs, ys));
  const path = series.points.map((p) => `${scaleX.map(p.x).toFixed(1)},${scaleY.map(p.y).toFixed(1)}`).join(' ');
  root.append(svg('polyline', { points: path, class: 'chart-line' }));
  for (const p of series.points) {
    const dot = svg('circle', { cx: scaleX.map(p.x), cy: scaleY.map(p.y), r: 3, class: 'chart-dot' });
    dot.append(svg('title', {}, `epoch ${p.x}: ${formatNumber(p.y, 6)}`));
    root.append(dot);
  }
  return root;
}

interface Scale {
  min: number;
  max: number;
  map(value: number): number;
}

/** A flat series (min = max) is centred instead of dividing by zero. */
function linearScale(min: number, max: number, from: number, to: number): Scale {
  const span = max - min;
  return { min, max, map: (v) => (span === 0 ? (from + to) / 2 : from + ((v - min) / span) * (to - from)) };
}

function axes(scaleX: Scale, scaleY: Scale, xs: number[], ys: number[]): SVGElement[] {
  const bottom = HEIGHT - PAD.bottom;
  const elements = [
    svg('line', { x1: PAD.left, y1: bottom, x2: WIDTH - PAD.right, y2: bottom, class: 'chart-axis' }),
    svg('line', { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: bottom, class: 'chart-axis' }),
    svg('text', { x: (PAD.left + WIDTH - PAD.right) / 2, y: HEIGHT - 4, 'text-anchor': 'middle', class: 'chart-label' }, 'epoch'),
  ];
  for (const x of [...new Set([Math.min(...xs), Math.max(...xs)])]) {
    elements.push(svg('text', { x: scaleX.map(x), y: bottom + 14, 'text-anchor': 'middle', class: 'chart-tick' }, String(x)));
  }
  for (const y of [...new Set([Math.min(...ys), Math.max(...ys)])]) {
    elements.push(svg('text', { x: PAD.left - 6, y: scaleY.map(y) + 4, 'text-anchor': 'end', class: 'chart-tick' }, formatNumber(y, 4)));
  }
  return elements;
}
