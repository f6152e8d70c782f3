import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ImageModel } from '../shared/api-types';

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

/** Values per image: height · width · channels. */
export function valuesPerImage({ inputShape: [height, width, channels] }: ImageModel): number {
  return height * width * channels;
}

/** Channels of the decoder's output: one logit per image channel, or a mean and a log-scale per image channel. */
function outputChannels(model: ImageModel): number {
  return model.likelihood === 'bernoulli' ? model.inputShape[2] : 2 * model.inputShape[2];
}

/**
 * One line when the decoder does not draw the images the manifest describes (a model.json and a manifest of
 * different checkpoints), instead of pictures of garbage.
 */
export function checkDecoder(decoder: tfl.LayersModel, model: ImageModel): void {
  const actual = decoder.outputs[0].shape.slice(1);
  const expected = [...model.inputShape.slice(0, 2), outputChannels(model)];
  if (actual.length !== 3 || actual.some((size, i) => size !== expected[i])) {
    throw new Error(`the decoder outputs [${actual.join(', ')}] per image, but a ${model.likelihood} model of ${model.inputShape.join('×')} images outputs [${expected.join(', ')}]`);
  }
}

/**
 * The mean image of the decoder's output, in [0, 1] (the same as `meanImage` of @cvae/model, which the
 * evaluation PNGs are drawn from): sigmoid(logits) for bernoulli; for the discretized logistic, the first C
 * channels (the means, on [-1, 1]) clipped and mapped to [0, 1] — the log-scales are not shown.
 */
function meanImage(model: ImageModel, output: tf.Tensor4D): tf.Tensor4D {
  if (model.likelihood === 'bernoulli') return tf.sigmoid(output);
  const [means] = tf.split(output, 2, 3);
  return tf.div(tf.add(tf.clipByValue(means, -1, 1), 1), 2);
}

/** The images of several points at once, each H·W·C values in [0, 1] (NHWC): row i is the image of zs[i]. */
export function decodeMany(decoder: tfl.LayersModel, model: ImageModel, zs: readonly (readonly number[])[]): Float32Array[] {
  const flat = tf.tidy(() => meanImage(model, decoder.predict(tf.tensor2d(zs.map((z) => Array.from(z)))) as tf.Tensor4D).dataSync() as Float32Array);
  const size = valuesPerImage(model);
  return zs.map((_, i) => flat.subarray(i * size, (i + 1) * size));
}

/** The image of one point z, H·W·C values in [0, 1]. */
export function decodeImage(decoder: tfl.LayersModel, model: ImageModel, z: readonly number[]): Float32Array {
  return decodeMany(decoder, model, [z])[0];
}

/** Values in [0, 1] → bytes round(v·255), the convention of the evaluation PNGs (probabilityToByte of @cvae/images). */
export function toBytes(values: Float32Array): Uint8ClampedArray {
  const bytes = new Uint8ClampedArray(values.length);
  values.forEach((v, i) => (bytes[i] = Math.round(Math.min(1, Math.max(0, v)) * 255)));
  return bytes;
}

/** Opaque RGBA of one NHWC image of bytes: grey (one channel, white digit on black) or RGB. */
function toImageData(context: CanvasRenderingContext2D, model: ImageModel, bytes: ArrayLike<number>): ImageData {
  const [height, width, channels] = model.inputShape;
  const image = context.createImageData(width, height);
  for (let p = 0; p < width * height; p++) {
    const at = p * channels;
    const [r, g, b] = channels === 1 ? [bytes[at], bytes[at], bytes[at]] : [bytes[at], bytes[at + 1], bytes[at + 2]];
    image.data.set([r, g, b, 255], p * 4); // opaque: pixels read back exactly
  }
  return image;
}

function context2d(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const context = canvas.getContext('2d');
  if (!context) throw new Error('2d canvas context unavailable');
  return context;
}

/** One image of bytes into a canvas of the model's size (CSS scales it, `pixelated`). */
export function drawImage(canvas: HTMLCanvasElement, model: ImageModel, bytes: ArrayLike<number>): void {
  const [height, width] = model.inputShape;
  if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
  context2d(canvas).putImageData(toImageData(context2d(canvas), model, bytes), 0, 0);
}

/** Images side by side in one canvas (a strip), one image width apart. */
export function drawStrip(canvas: HTMLCanvasElement, model: ImageModel, images: Float32Array[]): void {
  const [height, width] = model.inputShape;
  const context = context2d(canvas);
  canvas.width = width * images.length;
  canvas.height = height;
  images.forEach((values, i) => context.putImageData(toImageData(context, model, toBytes(values)), i * width, 0));
}

/**
 * CSS size of an image shown with its longer side `longSide` px: models of any shape (28×28 MNIST, 64×64 RGB, or
 * not square) share the page's layout, each pixel scaled up (or down) evenly.
 */
export function displaySize(model: ImageModel, longSide: number): { width: string; height: string } {
  const [height, width] = model.inputShape;
  const scale = longSide / Math.max(height, width);
  return { width: `${Math.round(width * scale)}px`, height: `${Math.round(height * scale)}px` };
}
