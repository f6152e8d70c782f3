/**
 * Pixel steps done here rather than in sharp, so that they are exact and the same on every machine:
 * RGB → grey as PIL's `convert('L')` (what torchvision's Grayscale uses), and an area ("box") resize.
 * sharp has no box kernel: its nearest/linear/cubic/lanczos reductions all differ from the mean of the
 * covered pixels (by up to 40 levels on 64 → 32 of a busy image), so its `kernel` option is not used.
 */

/** ITU-R 601-2 luma with PIL's integer weights and rounding: L = (19595 R + 38470 G + 7471 B + 2^15) >> 16. */
export function rgbToGray(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = (19595 * rgb[j] + 38470 * rgb[j + 1] + 7471 * rgb[j + 2] + 0x8000) >>> 16;
  return out;
}

export interface PixelGrid {
  height: number;
  width: number;
  channels: number;
  /** height × width × channels bytes, row-major (HWC). */
  data: Uint8Array;
}

/**
 * Each output pixel is the mean of the input area it covers (fractional pixels weighted by the part
 * covered), rounded half up: shrinking by 2 gives the mean of each 2×2 block; enlarging repeats pixels
 * and mixes only where an output pixel straddles two input pixels. Done in integers (weights in units
 * of 1/target so every overlap is whole), so the result is exact.
 */
export function areaResize(source: PixelGrid, height: number, width: number): PixelGrid {
  const { channels } = source;
  if (source.height === height && source.width === width) return source;
  const rows = axisWeights(source.height, height);
  const cols = axisWeights(source.width, width);
  // Horizontal pass: sums of weight × byte, at most width_in × 255 each.
  const horizontal = new Float64Array(source.height * width * channels);
  for (let y = 0; y < source.height; y++) {
    for (let x = 0; x < width; x++) {
      for (const [sx, weight] of cols[x]) {
        const from = (y * source.width + sx) * channels;
        const to = (y * width + x) * channels;
        for (let c = 0; c < channels; c++) horizontal[to + c] += weight * source.data[from + c];
      }
    }
  }
  const denominator = source.height * source.width;
  const data = new Uint8Array(height * width * channels);
  const sums = new Float64Array(channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      sums.fill(0);
      for (const [sy, weight] of rows[y]) {
        const from = (sy * width + x) * channels;
        for (let c = 0; c < channels; c++) sums[c] += weight * horizontal[from + c];
      }
      const to = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) data[to + c] = Math.floor((2 * sums[c] + denominator) / (2 * denominator));
    }
  }
  return { height, width, channels, data };
}

/**
 * For each of `target` output positions, the input positions it covers and how much of each, in units
 * of 1/target of an input pixel: output d spans [d·source, (d+1)·source), input s spans [s·target, (s+1)·target).
 * Each output's weights add up to `source`.
 */
function axisWeights(source: number, target: number): [number, number][][] {
  return Array.from({ length: target }, (_, d) => {
    const start = d * source;
    const end = start + source;
    const weights: [number, number][] = [];
    for (let s = Math.floor(start / target); s * target < end; s++) {
      const overlap = Math.min(end, (s + 1) * target) - Math.max(start, s * target);
      if (overlap > 0) weights.push([s, overlap]);
    }
    return weights;
  });
}
