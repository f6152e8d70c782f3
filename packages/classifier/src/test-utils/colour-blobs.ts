/**
 * A small labelled RGB dataset made in memory: 32×32×3 images of one coloured blob (class 0 red,
 * 1 green, 2 blue) of random size and place on a dim noisy background, every value a multiple of
 * 1/255 (as 8-bit levels are). Seeded: the same seed gives the same images.
 */
import { ImageSet, SeededRandom, Split } from '@cvae/dataset';

export const BLOB_CLASSES = ['red', 'green', 'blue'];
export const BLOB_SIDE = 32;

/** One image's bytes (side × side × 3) and its label: the blob's dominant channel. */
export function blobImage(random: SeededRandom, label: number, side = BLOB_SIDE): Uint8Array {
  const out = new Uint8Array(side * side * 3);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random.uniform() * 70);
  const radius = 3 + random.uniform() * 5;
  const [cy, cx] = [radius + random.uniform() * (side - 2 * radius), radius + random.uniform() * (side - 2 * radius)];
  // The other two channels of the blob are bright too, sometimes, so the class is the strongest channel, not the only one.
  const colour = [0, 1, 2].map((c) => (c === label ? 170 + random.uniform() * 85 : random.uniform() * 120));
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if ((y - cy) ** 2 + (x - cx) ** 2 > radius ** 2) continue;
      for (let c = 0; c < 3; c++) out[(y * side + x) * 3 + c] = Math.floor(colour[c]);
    }
  }
  return out;
}

/** `count` images, labels cycling 0, 1, 2, as 8-bit levels / 255 (no binarization), with the class names. */
export function colourBlobSet(split: Split, count: number, seed: number, side = BLOB_SIDE): ImageSet {
  const random = new SeededRandom(seed);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  const images = new Float32Array(count * side * side * 3);
  labels.forEach((label, i) => blobImage(random, label, side).forEach((v, j) => (images[i * side * side * 3 + j] = v / 255)));
  return { split, count, height: side, width: side, channels: 3, images, labels, binarization: 'none', classes: [...BLOB_CLASSES] };
}
