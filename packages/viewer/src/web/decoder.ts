import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

export const IMAGE_SIZE = 28;

/**
 * The cpu backend: it is deterministic and available headless (webgl is not with --disable-gpu),
 * and it is what the Node-side comparison in the e2e tests decodes with too.
 */
const backendReady = tf.setBackend('cpu').then(() => tf.ready());
const models = new Map<string, Promise<tfl.LayersModel>>();

/** Loads the checkpoint's decoder once per URL (model.json, then weights.bin beside it). */
export function loadDecoder(modelJsonUrl: string): Promise<tfl.LayersModel> {
  let model = models.get(modelJsonUrl);
  if (!model) {
    model = backendReady.then(() => tfl.loadLayersModel(modelJsonUrl));
    models.set(modelJsonUrl, model);
    model.catch(() => models.delete(modelJsonUrl)); // allow a retry after a failed load
  }
  return model;
}

/** Pixel probabilities sigmoid(decoder(z)), row-major 28×28: the same as CVAE.sample in @cvae/model. */
export function decodeProbabilities(decoder: tfl.LayersModel, z: readonly number[]): Float32Array {
  return tf.tidy(() => {
    const logits = decoder.predict(tf.tensor2d([Array.from(z)])) as tf.Tensor;
    return tf.sigmoid(logits).dataSync() as Float32Array;
  });
}

/** Grey levels 0–255 (white digit on black), the convention of the evaluation PNGs. */
export function toGreyLevels(probabilities: Float32Array): Uint8ClampedArray {
  const grey = new Uint8ClampedArray(probabilities.length);
  probabilities.forEach((p, i) => (grey[i] = Math.round(Math.min(1, Math.max(0, p)) * 255)));
  return grey;
}

export function drawGrey(canvas: HTMLCanvasElement, grey: Uint8ClampedArray): void {
  const context = canvas.getContext('2d');
  if (!context) throw new Error('2d canvas context unavailable');
  const image = context.createImageData(IMAGE_SIZE, IMAGE_SIZE);
  grey.forEach((g, i) => image.data.set([g, g, g, 255], i * 4)); // opaque: pixels read back exactly
  context.putImageData(image, 0, 0);
}

/** sigmoid(decoder(z)) of several points at once: row i is the 28×28 image of zs[i]. */
export function decodeMany(decoder: tfl.LayersModel, zs: readonly (readonly number[])[]): Float32Array[] {
  const flat = tf.tidy(() => tf.sigmoid(decoder.predict(tf.tensor2d(zs.map((z) => Array.from(z)))) as tf.Tensor).dataSync() as Float32Array);
  const size = IMAGE_SIZE * IMAGE_SIZE;
  return zs.map((_, i) => flat.subarray(i * size, (i + 1) * size));
}

/** Grey images side by side in one canvas (a strip), 28 px apart. */
export function drawStrip(canvas: HTMLCanvasElement, images: Float32Array[]): void {
  const context = canvas.getContext('2d');
  if (!context) throw new Error('2d canvas context unavailable');
  canvas.width = IMAGE_SIZE * images.length;
  canvas.height = IMAGE_SIZE;
  images.forEach((probabilities, i) => {
    const image = context.createImageData(IMAGE_SIZE, IMAGE_SIZE);
    toGreyLevels(probabilities).forEach((g, p) => image.data.set([g, g, g, 255], p * 4));
    context.putImageData(image, i * IMAGE_SIZE, 0);
  });
}
