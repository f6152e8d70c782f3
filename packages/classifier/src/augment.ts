/**
 * Seeded translation augmentation: each training image is shifted by a whole number of pixels in
 * each direction (uniform in [−maxShift, maxShift]), the uncovered border filled with 0 (background).
 * MNIST digits are centred by their centre of mass, so small shifts are realistic variation; they
 * are also what makes the classifier tolerate generated digits that sit slightly off centre.
 */
import type { SeededRandom } from '@cvae/dataset';

/** Shifts every image of `images` (count × height × width, row-major) in place of a new array. */
export function shiftImages(images: Float32Array, height: number, width: number, maxShift: number, random: SeededRandom): Float32Array {
  const pixels = height * width;
  const count = images.length / pixels;
  const out = new Float32Array(images.length);
  for (let n = 0; n < count; n++) {
    // Two draws per image, always, so the stream does not depend on the shifts drawn.
    const dy = Math.floor(random.uniform() * (2 * maxShift + 1)) - maxShift;
    const dx = Math.floor(random.uniform() * (2 * maxShift + 1)) - maxShift;
    shiftOne(images, out, n * pixels, height, width, dy, dx);
  }
  return out;
}

function shiftOne(source: Float32Array, target: Float32Array, offset: number, height: number, width: number, dy: number, dx: number): void {
  for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
    const from = offset + (y - dy) * width;
    const to = offset + y * width;
    for (let x = Math.max(0, dx); x < Math.min(width, width + dx); x++) target[to + x] = source[from + x - dx];
  }
}
