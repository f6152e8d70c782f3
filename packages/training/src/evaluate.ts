import { CVAE, elboEps, estimate, perImageMetrics } from '@cvae/model';
import { ImageSet, deriveSeed } from '@cvae/dataset';

/**
 * The test ELBO's eps stream: the one `cvae eval` uses with its default seed 0, image by image, so a
 * run's per-epoch metrics are exactly what `cvae eval` reports for that checkpoint, and comparable
 * across epochs, seeds and runs.
 */
export const TEST_EPS_SEED = deriveSeed(0, 'elbo-eps');
const CVAE_EVAL_DEFAULT_SEED = 0;

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
  /** Images per forward pass; bounds memory, not results. */
  batchSize?: number;
  /** Noise for the test ELBO's z samples: latentDim·count standard normals (default: testSetEps). */
  eps?: Float32Array;
}

/** Standard normals for evaluating `count` images (identical every call): `cvae eval`'s stream for seed 0. */
export function testSetEps(count: number, latentDim: number): Float32Array {
  return elboEps(CVAE_EVAL_DEFAULT_SEED, 0, count, latentDim);
}

/** ELBO (mean ± standard error), reconstruction MSE and analytic KL over the whole set: @cvae/model's metric core. */
export function evaluateTestSet(model: CVAE, set: ImageSet, opts: EvaluateOptions = {}): TestMetrics {
  const { batchSize = 500 } = opts;
  const eps = opts.eps ?? testSetEps(set.count, model.latentDim);
  const perImage = perImageMetrics(model, set.images, eps, batchSize);
  const elbo = estimate(perImage.elbo);
  return { elbo: elbo.mean, elboStdErr: elbo.standardError, reconMse: estimate(perImage.mse).mean, kl: estimate(perImage.kl).mean, count: set.count };
}
