import pixelmatch from 'pixelmatch';
import type { ComparisonStatus, GoldenThresholds } from '@cvae/formats';
import type { DecodedPng } from '@cvae/images';

export type { ComparisonStatus, GoldenThresholds };

export interface ImageComparison {
  status: ComparisonStatus;
  width: number;
  height: number;
  expectedSize?: { width: number; height: number };
  /**
   * Why the images cannot be compared pixel by pixel (status 'size-mismatch'): "actual 32×32 vs golden 28×28",
   * "actual 3 channels (RGB) vs golden 1 channel (gray)".
   */
  mismatch?: string;
  /** Pixels pixelmatch counts as different (undefined when the images cannot be compared). */
  diffPixels?: number;
  /** diffPixels / (width·height). */
  diffRatio?: number;
  /** Largest absolute difference of any channel of any pixel, 0–255. */
  maxDelta?: number;
  /** pixelmatch's diff image (RGBA), when the images could be compared. */
  diff?: Uint8Array;
}

/**
 * Compares `actual` with `expected` (undefined = no golden yet). Pure: returns numbers and the
 * diff image; writing reports is the caller's business.
 *
 * `includeAA: true`: pixelmatch's anti-aliasing detector assumes rendered vector graphics and
 * ignores pixels that look like edge smoothing. Decoder output is all soft edges, so with the
 * detector on, a blurred or shifted stroke would largely be excused as "anti-aliasing". We want
 * every changed pixel counted.
 */
export function compareImages(expected: DecodedPng | undefined, actual: DecodedPng, thresholds: GoldenThresholds): ImageComparison {
  const { width, height } = actual;
  if (expected === undefined) return { status: 'missing', width, height };
  const expectedSize = { width: expected.width, height: expected.height };
  if (expected.width !== width || expected.height !== height) {
    return { status: 'size-mismatch', width, height, expectedSize, mismatch: `actual ${width}×${height} vs golden ${expected.width}×${expected.height}` };
  }
  // A gray golden and an RGB image are different images even where the RGB one happens to be gray in every pixel.
  if (expected.channels !== undefined && actual.channels !== undefined && expected.channels !== actual.channels) {
    const mismatch = `actual ${channelsText(actual.channels)} vs golden ${channelsText(expected.channels)}`;
    return { status: 'size-mismatch', width, height, expectedSize, mismatch };
  }
  const diff = new Uint8Array(width * height * 4);
  const diffPixels = pixelmatch(expected.rgba, actual.rgba, diff, width, height, { threshold: thresholds.threshold, includeAA: true });
  return {
    status: diffPixels > thresholds.maxDiffPixels ? 'fail' : 'pass',
    width,
    height,
    diffPixels,
    diffRatio: diffPixels / (width * height),
    maxDelta: maxChannelDelta(expected.rgba, actual.rgba),
    diff,
  };
}

function channelsText(channels: 1 | 3): string {
  return channels === 1 ? '1 channel (gray)' : '3 channels (RGB)';
}

/** Largest absolute difference over every byte of two equally long buffers (RGBA: every channel of every pixel). */
export function maxChannelDelta(a: Uint8Array, b: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
