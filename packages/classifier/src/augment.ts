/**
 * Seeded translation augmentation: each training image is shifted by a whole number of pixels in
 * each direction (uniform in [−maxShift, maxShift]), the uncovered border filled with 0 (background).
 * MNIST digits are centred by their centre of mass, so small shifts are realistic variation; they
 * are also what makes the classifier tolerate generated digits that sit slightly off centre.
 */
import type { SeededRandom } from '@cvae/dataset';

/**
 * Shifts every image of `images` (count × height × width × channels, row-major NHWC) into a new
 * array; a pixel's channels move together. The draws do not depend on `channels`.
 */
export function shiftImages(images: Float32Array, height: number, width: number, maxShift: number, random: SeededRandom, channels = 1): Float32Array {
  const values = height * width * channels;
  const count = images.length / values;
  const out = new Float32Array(images.length);
  for (let n = 0; n < count; n++) {
    // Two draws per image, always, so the stream does not depend on the shifts drawn.
    const dy = Math.floor(random.uniform() * (2 * maxShift + 1)) - maxShift;
    const dx = Math.floor(random.uniform() * (2 * maxShift + 1)) - maxShift;
    shiftOne(images, out, n * values, { height, width, channels }, dy, dx);
  }
  return out;
}

function shiftOne(source: Float32Array, target: Float32Array, offset: number, size: { height: number; width: number; channels: number }, dy: number, dx: number): void {
  const { height, width, channels } = size;
  const row = width * channels;
  // A row's covered pixels are one contiguous run of values: copy it whole.
  const [fromX, toX] = [Math.max(0, -dx), Math.min(width, width - dx)];
  if (toX <= fromX) return; // shifted out of the image entirely
  for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
    const from = offset + (y - dy) * row;
    target.set(source.subarray(from + fromX * channels, from + toX * channels), offset + y * row + (fromX + dx) * channels);
  }
}
