import * as tf from '@tensorflow/tfjs-core';
import { PNG } from 'pngjs';
import { CVAE } from '@cvae/model';
import { SeededRandom, deriveSeed } from '@cvae/dataset';

/** The tutorial's `random_vector_for_generation`: one fixed set of latent points, decoded after every epoch. */
export const SAMPLE_EPS_SEED = deriveSeed(0, 'sample-grid-eps');
export const GRID_SIDE = 4;
const GUTTER = 1;
const IMAGE_SIDE = 28;

export interface GrayImage {
  width: number;
  height: number;
  /** One byte per pixel, row-major, 0 = black. */
  pixels: Uint8Array;
}

/** GRID_SIDE² standard-normal latent vectors, the same in every epoch and run with this latentDim. */
export function sampleGridEps(latentDim: number): Float32Array {
  return new SeededRandom(SAMPLE_EPS_SEED).normals(GRID_SIDE * GRID_SIDE * latentDim);
}

/** Decodes the fixed latent vectors and tiles the probabilities into a 4×4 grid with 1-pixel black gutters. */
export function renderSampleGrid(model: CVAE, eps: Float32Array = sampleGridEps(model.latentDim)): GrayImage {
  const count = GRID_SIDE * GRID_SIDE;
  const probabilities = tf.tidy(() => model.sample(tf.tensor2d(eps, [count, model.latentDim])));
  const values = probabilities.dataSync();
  probabilities.dispose();
  return tileImages(values, count);
}

function tileImages(values: ArrayLike<number>, count: number): GrayImage {
  const side = GRID_SIDE * IMAGE_SIDE + (GRID_SIDE - 1) * GUTTER;
  const pixels = new Uint8Array(side * side);
  for (let image = 0; image < count; image++) {
    const top = Math.floor(image / GRID_SIDE) * (IMAGE_SIDE + GUTTER);
    const left = (image % GRID_SIDE) * (IMAGE_SIDE + GUTTER);
    for (let row = 0; row < IMAGE_SIDE; row++) {
      for (let col = 0; col < IMAGE_SIDE; col++) {
        const p = values[image * IMAGE_SIDE * IMAGE_SIDE + row * IMAGE_SIDE + col];
        pixels[(top + row) * side + left + col] = Math.round(Math.min(1, Math.max(0, p)) * 255);
      }
    }
  }
  return { width: side, height: side, pixels };
}

/** 8-bit grayscale PNG (color type 0). */
export function encodeGrayPng(image: GrayImage): Uint8Array {
  const png = new PNG({ width: image.width, height: image.height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.from(image.pixels);
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false }));
}

/** Reads back any PNG as grayscale (the red channel of pngjs's RGBA output). */
export function decodeGrayPng(bytes: Uint8Array): GrayImage {
  const png = PNG.sync.read(Buffer.from(bytes));
  const pixels = new Uint8Array(png.width * png.height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = png.data[i * 4];
  return { width: png.width, height: png.height, pixels };
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
export function encodeProgressGif(frames: GrayImage[], frameDelayMs = 500): Uint8Array {
  if (frames.length === 0) throw new Error('encodeProgressGif: no frames');
  const gif = GIFEncoder();
  frames.forEach((frame, i) => {
    const lastFrame = i === frames.length - 1;
    // Hold the final frame longer so the end state is visible before the loop restarts.
    gif.writeFrame(frame.pixels, frame.width, frame.height, { palette: GRAY_PALETTE, delay: lastFrame ? frameDelayMs * 4 : frameDelayMs, repeat: 0 });
  });
  gif.finish();
  return gif.bytes();
}
