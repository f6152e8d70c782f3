import type { RawImageSet, Split } from './mnist';

/** Static binarization threshold on the [0, 1] scale, or 'none' to keep grayscale. */
export type Binarization = number | 'none';

/** A split ready for a model: float pixels in [0, 1] (binary unless binarization is 'none'). */
export interface ImageSet {
  split: Split;
  count: number;
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB); absent means 1 (IDX, and sets made before colour images). */
  channels?: number;
  /** count × height × width × channels floats, row-major (NHWC). */
  images: Float32Array;
  /** One label per image; all 0 for an unlabelled image folder (whose `classes` is empty). */
  labels: Uint8Array;
  binarization: Binarization;
  /** An image folder's class names (label i is classes[i]); empty when unlabelled; absent for IDX. */
  classes?: string[];
}

/** Channels per pixel of a set (1 when the set does not say). */
export function channelsOf(set: { channels?: number }): number {
  return set.channels ?? 1;
}

/**
 * Scales bytes to [0, 1] and, as in the seed, binarizes statically: 1 where pixel/255 > threshold.
 * The comparison is done on bytes (pixel > threshold·255), which is exact and fast.
 */
export function toUnitPixels(pixels: Uint8Array, binarization: Binarization = 0.5): Float32Array {
  const out = new Float32Array(pixels.length);
  if (binarization === 'none') {
    for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] / 255;
    return out;
  }
  if (!(binarization >= 0 && binarization < 1)) {
    throw new RangeError(`binarization threshold must be in [0, 1) or 'none', got ${binarization}`);
  }
  const byteThreshold = binarization * 255;
  for (let i = 0; i < pixels.length; i++) out[i] = pixels[i] > byteThreshold ? 1 : 0;
  return out;
}

/** Preprocesses a raw split; `limit` keeps only the first N images (for quick runs). */
export function preprocess(raw: RawImageSet, binarization: Binarization = 0.5, limit?: number): ImageSet {
  const count = limit === undefined ? raw.count : Math.min(limit, raw.count);
  const channels = channelsOf(raw);
  const valuesPerImage = raw.height * raw.width * channels;
  return {
    split: raw.split,
    count,
    height: raw.height,
    width: raw.width,
    channels,
    images: toUnitPixels(raw.pixels.subarray(0, count * valuesPerImage), binarization),
    labels: raw.labels.slice(0, count),
    binarization,
    ...(raw.classes === undefined ? {} : { classes: raw.classes }),
  };
}
