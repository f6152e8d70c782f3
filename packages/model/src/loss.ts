import * as tf from '@tensorflow/tfjs-core';
import { sigmoidCrossEntropyRowSums } from '@cvae/tfjs-kernels';
import { likelihoodOf } from './architecture';
import type { CVAE } from './cvae';
import { logPriorOverPosteriorOp } from './latent-ops';
import { logLikelihoodPerImage } from './likelihood';

const LOG_2PI = Math.log(2 * Math.PI);

export type { KlEstimator } from '@cvae/formats';
import type { KlEstimator } from '@cvae/formats';

export interface ElboOptions {
  /**
   * 'monte-carlo' (the tutorial's estimator): log p(z) − log q(z|x) at the single sample z.
   * 'analytic': −KL(q(z|x) ‖ N(0, I)) in closed form; same expectation, lower variance.
   */
  kl?: KlEstimator;
  /**
   * Weight of the KL term (default 1: the ELBO). β-VAE training uses other values; 0 trains on the
   * reconstruction alone, which the training guard uses to prove it notices a dropped KL term.
   */
  klWeight?: number;
}

/**
 * Element-wise −[x·log σ(l) + (1−x)·log(1−σ(l))], written as
 * max(l, 0) − l·x + log(1 + exp(−|l|)) so large |l| neither overflows exp nor hits log(0).
 * Uses relu/abs/exp/log1p only, all of which the cpu and wasm backends implement.
 */
export function sigmoidCrossEntropyWithLogits(logits: tf.Tensor, labels: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.add(tf.sub(tf.relu(logits), tf.mul(logits, labels)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))),
  );
}

/**
 * log N(sample; mean, exp(logvar)) summed over the latent axis (axis 1) → one value per example.
 * `mean`/`logvar` may be scalars (e.g. 0 and 0 for the standard-normal prior).
 */
export function logNormalPdf(sample: tf.Tensor2D, mean: tf.Tensor | number, logvar: tf.Tensor | number): tf.Tensor1D {
  return tf.tidy(() => {
    const squaredDistance = tf.square(tf.sub(sample, mean));
    const perDimension = tf.mul(-0.5, tf.add(tf.add(tf.mul(squaredDistance, tf.exp(tf.neg(logvar))), logvar), LOG_2PI));
    return tf.sum(perDimension, 1) as tf.Tensor1D;
  });
}

/**
 * log p(x|z) per example from the decoder's logits: −Σ sigmoid cross-entropy over the pixels, one
 * kernel on wasm (@cvae/tfjs-kernels). Each image of `x` serves `repeat` consecutive rows of logits
 * (the k importance samples of IWAE), so it is never copied k times.
 */
export function bernoulliLogLikelihood(logits: tf.Tensor4D, x: tf.Tensor4D, repeat = 1): tf.Tensor1D {
  return tf.tidy(() => tf.neg(sigmoidCrossEntropyRowSums(logits, x, repeat)) as tf.Tensor1D);
}

/**
 * log p(x|z) per example under the model's likelihood, from the decoder's output. Image i of `x`
 * serves `repeat` consecutive rows of `output` (IWAE's k samples).
 */
export function logLikelihood(model: CVAE, output: tf.Tensor4D, x: tf.Tensor4D, repeat = 1): tf.Tensor1D {
  const likelihood = likelihoodOf(model.architecture);
  // The seed's path stays the one it always was (bit for bit: goldens and the training guard depend on it).
  if (likelihood.kind === 'bernoulli') return bernoulliLogLikelihood(output, x, repeat);
  return logLikelihoodPerImage(likelihood, x, output, repeat);
}

/**
 * log p(z) − log q(z|x) per example (p = N(0, I), q = N(mean, exp(logvar))): the Monte-Carlo KL
 * term of the ELBO, equal to logNormalPdf(z, 0, 0) − logNormalPdf(z, mean, logvar), as one op.
 */
export function logPriorOverPosterior(z: tf.Tensor2D, mean: tf.Tensor2D, logvar: tf.Tensor2D): tf.Tensor1D {
  return logPriorOverPosteriorOp(z, mean, logvar);
}

/** KL(N(mean, exp(logvar)) ‖ N(0, I)) per example = 0.5·Σ(exp(logvar) + mean² − 1 − logvar). */
export function analyticKl(mean: tf.Tensor2D, logvar: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const perDimension = tf.sub(tf.sub(tf.add(tf.exp(logvar), tf.square(mean)), 1), logvar);
    return tf.mul(0.5, tf.sum(perDimension, 1)) as tf.Tensor1D;
  });
}

/**
 * Single-sample ELBO estimate per example (higher is better):
 *   log p(x|z) + log p(z) − log q(z|x)     ('monte-carlo'), or
 *   log p(x|z) − KL(q(z|x) ‖ N(0, I))      ('analytic'),
 * with z = mean + exp(logvar/2)·eps. `eps` ([batch, latentDim]) is explicit so that results
 * are reproducible and comparable across backends.
 */
export function elboPerExample(model: CVAE, x: tf.Tensor4D, eps: tf.Tensor2D, { kl = 'monte-carlo', klWeight = 1 }: ElboOptions = {}): tf.Tensor1D {
  return tf.tidy(() => {
    const { mean, logvar } = model.encode(x);
    const z = model.reparameterize(mean, logvar, eps);
    const logPxGivenZ = logLikelihood(model, model.decode(z), x);
    const minusKl = kl === 'analytic' ? tf.neg(analyticKl(mean, logvar)) : logPriorOverPosterior(z, mean, logvar);
    return tf.add(logPxGivenZ, klWeight === 1 ? minusKl : tf.mul(minusKl, klWeight)) as tf.Tensor1D;
  });
}

/** Training loss: −ELBO averaged over the batch (a scalar, differentiable w.r.t. the model's variables). */
export function negativeElbo(model: CVAE, x: tf.Tensor4D, eps: tf.Tensor2D, opts: ElboOptions = {}): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(elboPerExample(model, x, eps, opts))) as tf.Scalar);
}
