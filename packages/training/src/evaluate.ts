import type { ImageSet } from '@cvae/dataset';
import { estimate } from '@cvae/formats';
import type { PerImageMetrics } from '@cvae/model';
import { Replicas, perImageMetrics } from '@cvae/replicas';

/**
 * The eps seed of the per-epoch test metrics: `cvae eval`'s default, so a run's per-epoch numbers are
 * exactly what `cvae eval` reports for that checkpoint, and comparable across epochs, seeds and runs.
 */
export const CVAE_EVAL_DEFAULT_SEED = 0;
/**
 * Images per chunk. Small, because a training process lives long: the wasm heap never shrinks, and
 * 500-image chunks between training steps fragmented it until it grew by ~50% over ten epochs (measured:
 * RSS 402 → 472 MB with 2 workers); with 100 it stays within 3% (270 → 298 MB) at a few % of eval speed.
 * The numbers do not depend on it.
 */
const EVAL_CHUNK_IMAGES = 100;

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

/**
 * ELBO (mean ± standard error), reconstruction MSE and analytic KL over the whole set, on every
 * thread of `replicas` (the training workers): @cvae/model's metric core with `cvae eval`'s eps stream.
 */
export async function evaluateTestSet(replicas: Replicas, set: ImageSet, onProgress?: (done: number) => void): Promise<TestMetrics> {
  return (await evaluateTestSetPerImage(replicas, set, onProgress)).metrics;
}

/** evaluateTestSet, and the per-image values its means come from (training keeps the last epoch's in test-metrics.bin). */
export async function evaluateTestSetPerImage(replicas: Replicas, set: ImageSet, onProgress?: (done: number) => void): Promise<{ metrics: TestMetrics; perImage: PerImageMetrics }> {
  const perImage = await perImageMetrics(replicas, set.images, { seed: CVAE_EVAL_DEFAULT_SEED, batchSize: EVAL_CHUNK_IMAGES, onProgress });
  const elbo = estimate(perImage.elbo);
  const metrics = { elbo: elbo.mean, elboStdErr: elbo.standardError, reconMse: estimate(perImage.mse).mean, kl: estimate(perImage.kl).mean, count: set.count };
  return { metrics, perImage };
}
