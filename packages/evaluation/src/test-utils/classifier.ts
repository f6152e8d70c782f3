import { existsSync } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { defaultClassifierDir } from '@cvae/classifier';
import type { CVAE } from '@cvae/model';

/** The committed MNIST classifier; fails (never skips) with the command that makes it when absent. */
export function referenceClassifier(): string {
  const dir = defaultClassifierDir();
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`classifier missing: ${dir} has no manifest.json (make it with the command in classifiers/mnist/README.md)`);
  }
  return dir;
}

/**
 * Re-parameterises the decoder's latent input as z ↦ scale·z + shift, in place: the first dense
 * layer's kernel W [latentDim, units] becomes scale·W and its bias b becomes b + shiftᵀW. The decoder
 * then draws prior samples from N(shift, scale²·I) of the old latent plane — a weight edit that moves
 * the samples away from whatever the old plane held outside that region.
 */
export function remapDecoderLatent(model: CVAE, scale: number, shift: number[]): void {
  const layer = model.decoder.getLayer('decoder_dense');
  const [kernel, bias] = layer.getWeights();
  const remapped = tf.tidy(() => [tf.mul(kernel, scale), tf.add(bias, tf.reshape(tf.matMul(tf.tensor2d([shift]), kernel as tf.Tensor2D), bias.shape))]);
  layer.setWeights(remapped);
  tf.dispose(remapped);
}

/** A latent remap (decoder_dense weights) that leaves one class out of the prior samples; chosen by measurement (README). */
export const LOST_CLASS_EDIT = { scale: 0.9, shift: [1.2, 0.3] };
