import * as tf from '@tensorflow/tfjs-core';
import { CVAE, Image8, tileGrid } from '@cvae/model';
import { SeededRandom, deriveSeed } from '@cvae/dataset';

/** The tutorial's `random_vector_for_generation`: one fixed set of latent points, decoded after every epoch. */
export const SAMPLE_EPS_SEED = deriveSeed(0, 'sample-grid-eps');
export const GRID_SIDE = 4;
const IMAGE_SIDE = 28;

/** GRID_SIDE² standard-normal latent vectors, the same in every epoch and run with this latentDim. */
export function sampleGridEps(latentDim: number): Float32Array {
  return new SeededRandom(SAMPLE_EPS_SEED).normals(GRID_SIDE * GRID_SIDE * latentDim);
}

/**
 * Decodes the fixed latent vectors and tiles the probabilities into a 4×4 grid, with the same
 * gray gutters as evaluation's golden grids so the two can be compared by eye.
 */
export function renderSampleGrid(model: CVAE, eps: Float32Array = sampleGridEps(model.latentDim)): Image8 {
  const count = GRID_SIDE * GRID_SIDE;
  const probabilities = tf.tidy(() => model.sample(tf.tensor2d(eps, [count, model.latentDim])));
  const values = probabilities.dataSync();
  probabilities.dispose();
  return tileGrid(values, { rows: GRID_SIDE, cols: GRID_SIDE, tileHeight: IMAGE_SIDE, tileWidth: IMAGE_SIDE });
}

/** The slice of gifenc 1.0.3's API we use; the package ships no types, and a require keeps any .d.ts shim out of our consumers' builds. */
interface GifEncoder {
  writeFrame(index: Uint8Array, width: number, height: number, opts: { palette?: number[][]; delay?: number; repeat?: number }): void;
  finish(): void;
  bytes(): Uint8Array;
}
const { GIFEncoder } = require('gifenc') as { GIFEncoder: () => GifEncoder };

const GRAY_PALETTE: number[][] = Array.from({ length: 256 }, (_, v) => [v, v, v]);

/** Animated GIF, one frame per image; a 256-level gray palette makes pixel bytes the palette indices, so no quantization. */
export function encodeProgressGif(frames: Image8[], frameDelayMs = 500): Uint8Array {
  if (frames.length === 0) throw new Error('encodeProgressGif: no frames');
  if (frames.some((frame) => frame.channels !== 1)) throw new Error('encodeProgressGif: frames must be grayscale (1 channel)');
  const gif = GIFEncoder();
  frames.forEach((frame, i) => {
    const lastFrame = i === frames.length - 1;
    // Hold the final frame longer so the end state is visible before the loop restarts.
    gif.writeFrame(frame.data, frame.width, frame.height, { palette: GRAY_PALETTE, delay: lastFrame ? frameDelayMs * 4 : frameDelayMs, repeat: 0 });
  });
  gif.finish();
  return gif.bytes();
}
