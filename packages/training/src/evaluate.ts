import * as tf from '@tensorflow/tfjs-core';
import { analyticKl, CVAE, elboPerExample, KlEstimator } from '@cvae/model';
import { ImageSet, SeededRandom, deriveSeed } from '@cvae/dataset';

/** Fixed for every run and epoch, so test ELBOs are comparable across epochs, seeds and runs. */
export const TEST_EPS_SEED = deriveSeed(0, 'test-set-eps');

export interface TestMetrics {
  /** Mean single-sample ELBO per image (nats; higher is better). */
  elbo: number;
  /** Standard error of that mean over images. */
  elboStdErr: number;
  /** Mean squared error between the binarized input and sigmoid(decode(mean)). */
  reconMse: number;
  /** Mean closed-form KL(q(z|x) ‖ N(0, I)). */
  kl: number;
  count: number;
}

export interface EvaluateOptions {
  kl?: KlEstimator;
  /** Images per forward pass; bounds memory, not results. */
  batchSize?: number;
  /** Noise for the test ELBO's z samples: latentDim·count standard normals (default: drawn from TEST_EPS_SEED). */
  eps?: Float32Array;
}

/** Standard normals for evaluating `count` images (identical every call). */
export function testSetEps(count: number, latentDim: number): Float32Array {
  return new SeededRandom(TEST_EPS_SEED).normals(count * latentDim);
}

/** ELBO (mean ± standard error), reconstruction MSE and analytic KL over the whole set, in batches. */
export function evaluateTestSet(model: CVAE, set: ImageSet, opts: EvaluateOptions = {}): TestMetrics {
  const { kl = 'monte-carlo', batchSize = 500 } = opts;
  const pixels = set.height * set.width;
  const eps = opts.eps ?? testSetEps(set.count, model.latentDim);
  let elboSum = 0;
  let elboSquaresSum = 0;
  let squaredErrorSum = 0;
  let klSum = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const batch = evaluateBatch(model, set.images.subarray(start * pixels, (start + n) * pixels), eps.subarray(start * model.latentDim, (start + n) * model.latentDim), n, set, kl);
    for (const value of batch.elbo) {
      elboSum += value;
      elboSquaresSum += value * value;
    }
    squaredErrorSum += batch.squaredError;
    klSum += batch.kl;
  }
  const count = set.count;
  const elbo = elboSum / count;
  const variance = count > 1 ? Math.max(0, (elboSquaresSum - count * elbo * elbo) / (count - 1)) : 0;
  return { elbo, elboStdErr: Math.sqrt(variance / count), reconMse: squaredErrorSum / (count * pixels), kl: klSum / count, count };
}

function evaluateBatch(model: CVAE, images: Float32Array, eps: Float32Array, n: number, set: ImageSet, kl: KlEstimator) {
  const [elbo, squaredError, klSum] = tf.tidy(() => {
    const x = tf.tensor4d(images, [n, set.height, set.width, 1]);
    const { mean, logvar } = model.encode(x);
    const reconstruction = model.decode(mean, { applySigmoid: true });
    return [
      elboPerExample(model, x, tf.tensor2d(eps, [n, model.latentDim]), { kl }),
      tf.sum(tf.squaredDifference(reconstruction, x)),
      tf.sum(analyticKl(mean, logvar)),
    ];
  });
  try {
    return { elbo: elbo.dataSync() as Float32Array, squaredError: squaredError.dataSync()[0], kl: klSum.dataSync()[0] };
  } finally {
    tf.dispose([elbo, squaredError, klSum]);
  }
}
