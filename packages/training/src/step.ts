import * as tf from '@tensorflow/tfjs-core';
import { CVAE, ElboOptions, negativeElbo } from '@cvae/model';
import { FlatAdamOptimizer } from './flat-adam';

export const DEFAULT_LEARNING_RATE = 1e-4;

/** The loss (`kl`: the tutorial's single-sample Monte Carlo estimate by default, or closed form; `klWeight`), and its scale. */
export interface StepOptions extends ElboOptions {
  /**
   * Multiplies the loss before differentiation (default 1). A data-parallel shard uses
   * shardSize / batchSize, so the shards' gradients sum to the full batch's mean-loss gradient.
   */
  lossScale?: number;
}

/** Gradients in `model.trainableVariables()` order: positions, not names, identify variables across processes. */
export interface Gradients {
  /** −ELBO of the batch (mean over examples). */
  loss: number;
  grads: tf.Tensor[];
}

/** Thrown instead of applying an update when the loss is NaN or ±Infinity, so the weights stay good. */
export class NonFiniteLossError extends Error {
  constructor(readonly loss: number) {
    super(`loss is ${loss}`);
    this.name = 'NonFiniteLossError';
  }
}

/**
 * Adam as in the seed (tf.keras.optimizers.Adam(1e-4) with tfjs's defaults for the betas, or another
 * β₁ for the perturbation ladder): tfjs's tf.train.adam, bit for bit, computed on flat arrays (flat-adam.ts).
 */
export function createOptimizer(learningRate: number = DEFAULT_LEARNING_RATE, beta1?: number): FlatAdamOptimizer {
  return new FlatAdamOptimizer(learningRate, beta1);
}

/**
 * −ELBO of batch `x` with noise `eps` and its gradient w.r.t. every trainable variable.
 * The caller owns the returned gradient tensors (dispose them, or pass them to applyGradients and then dispose).
 */
export function computeGradients(model: CVAE, x: tf.Tensor4D, eps: tf.Tensor2D, opts: StepOptions = {}): Gradients {
  const variables = model.trainableVariables();
  const { lossScale = 1 } = opts;
  const loss = () => negativeElbo(model, x, eps, { kl: opts.kl, klWeight: opts.klWeight });
  const { value, grads } = tf.variableGrads(lossScale === 1 ? loss : () => tf.mul(loss(), lossScale) as tf.Scalar, variables);
  const lossValue = value.dataSync()[0];
  value.dispose();
  return { loss: lossValue, grads: variables.map((variable) => grads[variable.name]) };
}

/** One optimizer update from gradients in trainableVariables() order (e.g. averaged over workers). Does not dispose them. */
export function applyGradients(optimizer: tf.Optimizer, model: CVAE, grads: tf.Tensor[]): void {
  const variables = model.trainableVariables();
  if (grads.length !== variables.length) {
    throw new Error(`applyGradients: got ${grads.length} gradients for ${variables.length} variables`);
  }
  const named: tf.NamedTensorMap = {};
  variables.forEach((variable, i) => {
    if (!tf.util.arraysEqual(grads[i].shape, variable.shape)) {
      throw new Error(`applyGradients: gradient ${i} has shape [${grads[i].shape}], variable ${variable.name} has [${variable.shape}]`);
    }
    named[variable.name] = grads[i];
  });
  optimizer.applyGradients(named);
}

/**
 * One training step: gradients of −ELBO, then one Adam update. Returns the batch loss.
 * A non-finite loss throws NonFiniteLossError *before* the update, leaving weights and optimizer untouched.
 */
export function trainStep(model: CVAE, optimizer: tf.Optimizer, x: tf.Tensor4D, eps: tf.Tensor2D, opts: StepOptions = {}): number {
  const { loss, grads } = computeGradients(model, x, eps, opts);
  try {
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss);
    applyGradients(optimizer, model, grads);
    return loss;
  } finally {
    tf.dispose(grads);
  }
}

/**
 * Loss and gradients of one shard's contribution to the full-batch mean −ELBO:
 * (shardSize / batchSize) · mean over the shard. Summing these over all shards gives exactly the
 * full batch's mean loss and its gradient (up to float rounding), because the mean is linear.
 * The caller owns the returned gradient tensors.
 */
export function computeShardGradients(model: CVAE, x: tf.Tensor4D, eps: tf.Tensor2D, batchSize: number, loss: ElboOptions): Gradients {
  return computeGradients(model, x, eps, { ...loss, lossScale: x.shape[0] / batchSize });
}
