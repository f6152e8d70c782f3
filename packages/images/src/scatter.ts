import type { Image8 } from './grid';

/** matplotlib's tab10, one colour per digit 0–9. */
export const DIGIT_COLORS: readonly (readonly [number, number, number])[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];

/** 3×5 bitmap glyphs (rows top to bottom, '1' = ink): enough for tick labels and the legend. */
const GLYPHS: Record<string, readonly string[]> = {
  '0': ['111', '101', '101', '101', '111'], '1': ['010', '110', '010', '010', '111'],
  '2': ['111', '001', '111', '100', '111'], '3': ['111', '001', '111', '001', '111'],
  '4': ['101', '101', '111', '001', '001'], '5': ['111', '100', '111', '001', '111'],
  '6': ['111', '100', '111', '101', '111'], '7': ['111', '001', '001', '001', '001'],
  '8': ['111', '101', '111', '101', '111'], '9': ['111', '101', '111', '001', '111'],
  '-': ['000', '000', '111', '000', '000'], z: ['000', '111', '010', '100', '111'],
  p: ['000', '111', '101', '111', '100'], c: ['000', '111', '100', '100', '111'],
};
const GLYPH_SCALE = 2;
const GLYPH_WIDTH = 4 * GLYPH_SCALE; // 3 columns + 1 spacing
const GLYPH_HEIGHT = 5 * GLYPH_SCALE;

type Rgb = readonly [number, number, number];
const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

export interface ScatterOptions {
  /** Square canvas size in pixels (default 480). */
  size?: number;
  /** Names of the horizontal and vertical axis (default z0, z1; letters z, p, c and digits). */
  axisLabels?: [string, string];
}

const MARGIN = { left: 44, right: 70, top: 12, bottom: 34 };

/**
 * Scatter of 2-D points (latent means: dims 0 and 1, or a plane's coordinates) coloured by label, drawn directly into an RGB
 * image: white background, left/bottom axes with integer ticks and labels, a 10-entry legend on the
 * right. Points are 3×3 squares drawn in input order. No canvas dependency, so the output is
 * byte-identical everywhere for the same inputs.
 */
export function drawScatter(points: Float32Array, labels: Uint8Array, options: ScatterOptions = {}): Image8 {
  const size = options.size ?? 480;
  if (points.length !== labels.length * 2) throw new RangeError(`drawScatter: ${labels.length} labels need ${labels.length * 2} coordinates, got ${points.length}`);
  if (size < 200) throw new RangeError(`drawScatter: size must be ≥ 200, got ${size}`);
  const canvas = new Canvas(size, size);
  const plot = { x0: MARGIN.left, y0: MARGIN.top, x1: size - MARGIN.right, y1: size - MARGIN.bottom };
  const xRange = paddedRange(points, 0);
  const yRange = paddedRange(points, 1);
  const toPx = (v: number, r: Range, p0: number, p1: number) => Math.round(p0 + ((v - r.min) / (r.max - r.min)) * (p1 - p0));
  for (let i = 0; i < labels.length; i++) {
    const px = toPx(points[2 * i], xRange, plot.x0, plot.x1);
    const py = toPx(points[2 * i + 1], yRange, plot.y1, plot.y0); // y grows upwards
    canvas.fillRect(px - 1, py - 1, 3, 3, DIGIT_COLORS[labels[i] % 10]);
  }
  drawAxes(canvas, plot, xRange, yRange, toPx, options.axisLabels ?? ['z0', 'z1']);
  drawLegend(canvas, plot.x1 + 14, plot.y0 + 4);
  return canvas.image;
}

interface Range {
  min: number;
  max: number;
}

/** Data range of one coordinate, padded by 5% (and widened when all values coincide). */
function paddedRange(points: Float32Array, axis: 0 | 1): Range {
  let min = Infinity;
  let max = -Infinity;
  for (let i = axis; i < points.length; i += 2) {
    if (!Number.isFinite(points[i])) continue;
    min = Math.min(min, points[i]);
    max = Math.max(max, points[i]);
  }
  if (min === Infinity) return { min: -1, max: 1 };
  const pad = Math.max((max - min) * 0.05, 0.5);
  return { min: min - pad, max: max + pad };
}

/** Integer ticks, thinned to at most ~8 per axis. */
function ticks(range: Range): number[] {
  const step = Math.max(1, Math.ceil((range.max - range.min) / 8));
  const out: number[] = [];
  for (let t = Math.ceil(range.min / step) * step; t <= range.max; t += step) out.push(t);
  return out;
}

type ToPx = (v: number, r: Range, p0: number, p1: number) => number;

function drawAxes(canvas: Canvas, plot: { x0: number; y0: number; x1: number; y1: number }, xr: Range, yr: Range, toPx: ToPx, [xLabel, yLabel]: [string, string]): void {
  canvas.fillRect(plot.x0, plot.y1, plot.x1 - plot.x0 + 1, 1, BLACK);
  canvas.fillRect(plot.x0, plot.y0, 1, plot.y1 - plot.y0 + 1, BLACK);
  for (const t of ticks(xr)) {
    const x = toPx(t, xr, plot.x0, plot.x1);
    canvas.fillRect(x, plot.y1, 1, 5, BLACK);
    canvas.text(String(t), x - (String(t).length * GLYPH_WIDTH) / 2, plot.y1 + 8, BLACK);
  }
  for (const t of ticks(yr)) {
    const y = toPx(t, yr, plot.y1, plot.y0);
    canvas.fillRect(plot.x0 - 5, y, 5, 1, BLACK);
    canvas.text(String(t), plot.x0 - 8 - String(t).length * GLYPH_WIDTH, y - GLYPH_HEIGHT / 2, BLACK);
  }
  canvas.text(xLabel, plot.x1 - xLabel.length * GLYPH_WIDTH, plot.y1 + 8 + GLYPH_HEIGHT + 2, BLACK);
  canvas.text(yLabel, 2, plot.y0, BLACK);
}

function drawLegend(canvas: Canvas, x: number, y: number): void {
  DIGIT_COLORS.forEach((color, digit) => {
    const rowY = y + digit * (GLYPH_HEIGHT + 8);
    canvas.fillRect(x, rowY, GLYPH_HEIGHT, GLYPH_HEIGHT, color);
    canvas.text(String(digit), x + GLYPH_HEIGHT + 6, rowY, BLACK);
  });
}

/** Minimal RGB raster with clipping. */
class Canvas {
  readonly image: Image8;

  constructor(width: number, height: number) {
    this.image = { width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(WHITE[0]) };
  }

  fillRect(x: number, y: number, w: number, h: number, color: Rgb): void {
    const { width, height, data } = this.image;
    for (let yy = Math.max(0, Math.round(y)); yy < Math.min(height, Math.round(y) + h); yy++) {
      for (let xx = Math.max(0, Math.round(x)); xx < Math.min(width, Math.round(x) + w); xx++) {
        data.set(color, (yy * width + xx) * 3);
      }
    }
  }

  text(text: string, x: number, y: number, color: Rgb): void {
    [...text].forEach((ch, i) => {
      const glyph = GLYPHS[ch];
      if (!glyph) throw new RangeError(`no glyph for '${ch}'`);
      glyph.forEach((row, gy) =>
        [...row].forEach((bit, gx) => {
          if (bit === '1') this.fillRect(x + i * GLYPH_WIDTH + gx * GLYPH_SCALE, y + gy * GLYPH_SCALE, GLYPH_SCALE, GLYPH_SCALE, color);
        }),
      );
    });
  }
}
