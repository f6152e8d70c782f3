/**
 * What the gradient task sends and answers. Transport, fault injection and the flat weight layout
 * are the model package's generic replica pool (`@cvae/model`, src/parallel); they are re-exported
 * here for the training code and tests that already import them from this module.
 */
import type { KlEstimator } from '@cvae/model';

export { CRASH_ENV, faultFromEnv, flatSize, flattenTensors, flatToSnapshot, unflattenToTensors } from '@cvae/model';
export type { WorkerFault } from '@cvae/model';

/** Compute one shard's gradients at the weights sent with the request. Every array is transferred. */
export interface GradientRequest {
  /** The shard's images, NHWC flat. */
  images: Float32Array;
  /** The shard's rows of the whole batch's eps. */
  eps: Float32Array;
  shardSize: number;
  /** Full batch size: the shard's loss is scaled by shardSize / batchSize. */
  batchSize: number;
  kl: KlEstimator;
}

export interface GradientResponse {
  /** This shard's contribution to the full-batch mean loss (already scaled). */
  loss: number;
  /** Gradient of the scaled shard loss, flat (transferred). */
  grads: Float32Array;
}
