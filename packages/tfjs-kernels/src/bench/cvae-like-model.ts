/**
 * The CVAE tutorial architecture built directly with tfjs-layers, for kernel
 * tests and benchmarks that must not depend on the product's model code.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface CvaeLike {
  encoder: tfl.Sequential;
  decoder: tfl.Sequential;
  latentDim: number;
  variables: tf.Variable[];
}

const LOG_2PI = Math.log(2 * Math.PI);

function seeded(seed: number): ReturnType<typeof tfl.initializers.glorotUniform> {
  return tfl.initializers.glorotUniform({ seed });
}

export function buildCvaeLike(latentDim: number, seed: number): CvaeLike {
  const encoder = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: seeded(seed + 1) }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: seeded(seed + 2) }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 2 * latentDim, kernelInitializer: seeded(seed + 3) }),
    ],
  });
  const decoder = tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [latentDim], units: 7 * 7 * 32, activation: 'relu', kernelInitializer: seeded(seed + 4) }),
      tfl.layers.reshape({ targetShape: [7, 7, 32] }),
      tfl.layers.conv2dTranspose({ filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: seeded(seed + 5) }),
      tfl.layers.conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: seeded(seed + 6) }),
      tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 1, padding: 'same', kernelInitializer: seeded(seed + 7) }),
    ],
  });
  const variables = [...encoder.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  return { encoder, decoder, latentDim, variables };
}

function logNormalPdf(sample: tf.Tensor, mean: tf.Tensor, logvar: tf.Tensor): tf.Tensor {
  const sq = tf.square(tf.sub(sample, mean));
  return tf.sum(tf.mul(-0.5, tf.add(tf.add(tf.mul(sq, tf.exp(tf.neg(logvar))), logvar), LOG_2PI)), 1);
}

/** sigmoid cross-entropy on logits, written like tf.nn.sigmoid_cross_entropy_with_logits. */
function sigmoidCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}

/** Negative single-sample Monte Carlo ELBO; `eps` is the reparameterisation noise. */
export function cvaeLoss(model: CvaeLike, x: tf.Tensor4D, eps: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const stats = model.encoder.apply(x) as tf.Tensor2D;
    const [mean, logvar] = tf.split(stats, 2, 1);
    const z = tf.add(tf.mul(eps, tf.exp(tf.mul(logvar, 0.5))), mean);
    const logits = model.decoder.apply(z) as tf.Tensor4D;
    const logpxz = tf.neg(tf.sum(sigmoidCrossEntropy(x, logits), [1, 2, 3]));
    const logpz = logNormalPdf(z, tf.zerosLike(z), tf.zerosLike(z));
    const logqzx = logNormalPdf(z, mean, logvar);
    return tf.neg(tf.mean(tf.sub(tf.add(logpxz, logpz), logqzx))) as tf.Scalar;
  });
}

/** A deterministic binarised-MNIST-like batch and noise, so runs are reproducible. */
export function syntheticBatch(batch: number, latentDim: number, seed: number): { x: tf.Tensor4D; eps: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.cast(tf.greater(tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', seed), 0.7), 'float32') as tf.Tensor4D;
    const eps = tf.randomNormal([batch, latentDim], 0, 1, 'float32', seed + 1) as tf.Tensor2D;
    return { x, eps };
  });
}
