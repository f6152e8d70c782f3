/**
 * Seeded training of the digit classifier with our stack: the kernels of @cvae/tfjs-kernels on the
 * active backend, data-parallel on @cvae/replicas' threads. Every random choice comes from one seed:
 * the initial weights (deriveSeed(seed, layer name)), the epoch orders (deriveSeed(seed, 'shuffle-<epoch>'))
 * and the shifts of the augmentation (deriveSeed(seed, 'shift-<epoch>')). The same seed, backend and
 * worker count give the same weights (another worker count sums shard gradients in another order).
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { ImageSet, SeededRandom, batchCount, channelsOf, deriveSeed, epochOrder, gatherBatch } from '@cvae/dataset';
import { Architecture, CVAE, formatShape, validateArchitecture } from '@cvae/model';
import { Replicas, shardRanges } from '@cvae/replicas';
import { shiftImages } from './augment';
import type { ClassifierGradientRequest, ClassifierGradientResponse } from './gradient-task';
import { classifierGradients } from './loss';
import { Classifier, ClassifierShapeError, classifierArchitecture } from './network';
import { predictLabels } from './predict';

const GRADIENT_TASK = 'classifier-gradient';
/** Without extension: gradient-task.js when built, gradient-task.ts from sources (see @cvae/replicas). */
const GRADIENT_TASK_MODULE = path.join(__dirname, 'gradient-task');

export interface ClassifierTrainConfig {
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** The learning rate of epoch e is learningRate · lrDecay^(e−1): large steps early, small ones to settle. */
  lrDecay: number;
  /** Largest shift (pixels, each direction) of the translation augmentation; 0 turns it off. */
  maxShift: number;
  /** Threads computing gradients, this one included. */
  workers: number;
}

export const DEFAULT_TRAIN_CONFIG: Omit<ClassifierTrainConfig, 'seed' | 'workers'> = { epochs: 10, batchSize: 128, learningRate: 1e-3, lrDecay: 0.75, maxShift: 2 };

export interface TrainProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Mean training loss of the epoch so far. */
  loss: number;
  elapsedMs: number;
  etaMs?: number;
}

export interface EpochResult {
  epoch: number;
  loss: number;
  testAccuracy: number;
  elapsedMs: number;
}

export interface TrainedClassifier {
  classifier: Classifier;
  config: ClassifierTrainConfig;
  /** The tfjs backend it was trained on, and tfjs's version. */
  backend: string;
  tfjsVersion: string;
  history: EpochResult[];
  testAccuracy: number;
  elapsedMs: number;
}

/**
 * Trains a fresh classifier on `train`, measuring accuracy on `test` after every epoch. Its network
 * takes the images' own [height, width, channels] and has datasetClasses(train, test) logits.
 */
export async function trainClassifier(train: ImageSet, test: ImageSet, config: ClassifierTrainConfig, onProgress?: (p: TrainProgress) => void): Promise<TrainedClassifier> {
  assertConfig(config);
  const classifier = Classifier.create({ seed: config.seed, architecture: classifierArchitecture(imageShapeOf(train, test), datasetClasses(train, test)) });
  const steps = new StepRunner(classifier, config.workers);
  const optimizer = new ScheduledAdam(config.learningRate);
  const started = Date.now();
  const history: EpochResult[] = [];
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      optimizer.setLearningRate(config.learningRate * config.lrDecay ** (epoch - 1));
      const loss = await trainEpoch(steps, optimizer, train, config, epoch, (step, stepsPerEpoch, meanLoss) => {
        const elapsedMs = Date.now() - started;
        const done = (epoch - 1) * stepsPerEpoch + step;
        const total = config.epochs * stepsPerEpoch;
        onProgress?.({ epoch, epochs: config.epochs, step, stepsPerEpoch, loss: meanLoss, elapsedMs, etaMs: (elapsedMs / done) * (total - done) });
      });
      history.push({ epoch, loss, testAccuracy: accuracy(predictLabels(classifier, test.images), test.labels), elapsedMs: Date.now() - started });
    }
  } catch (error) {
    classifier.dispose();
    throw error;
  } finally {
    optimizer.dispose();
    await steps.close();
  }
  const testAccuracy = history[history.length - 1].testAccuracy;
  return { classifier, config, backend: tf.getBackend(), tfjsVersion: tf.version_core, history, testAccuracy, elapsedMs: Date.now() - started };
}

/** tfjs's Adam (its default betas and epsilon) with a learning rate that can change between epochs; the moments carry over. */
class ScheduledAdam extends tf.AdamOptimizer {
  constructor(learningRate: number) {
    super(learningRate, 0.9, 0.999);
  }

  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }
}

/** [height, width, channels] of both splits, which must agree (one line naming both shapes otherwise). */
export function imageShapeOf(train: ImageSet, test: ImageSet): [number, number, number] {
  const [a, b] = [train, test].map((set) => [set.height, set.width, channelsOf(set)] as [number, number, number]);
  if (a.some((d, i) => d !== b[i])) throw new ClassifierShapeError(`classifier training: the training images are ${formatShape(a)}, the test images ${formatShape(b)}`);
  return a;
}

/**
 * How many classes the classifier tells apart: an image folder's class count when the set says it
 * (an unlabelled folder has none, which is refused), else the largest label of either split + 1.
 */
export function datasetClasses(train: ImageSet, test: ImageSet): number {
  const named = train.classes ?? test.classes;
  if (named !== undefined && named.length === 0) throw new UnlabelledDatasetError('classifier training: the dataset has no classes (an unlabelled image folder): a classifier needs labelled images');
  const largest = Math.max(...[train.labels, test.labels].map((labels) => labels.reduce((m, label) => Math.max(m, label), 0)));
  const classes = named?.length ?? largest + 1;
  if (largest >= classes) throw new ClassifierShapeError(`classifier training: label ${largest} is out of range for the dataset's ${classes} classes`);
  return classes;
}

/** The data has no labels to learn (an image folder without class directories). */
export class UnlabelledDatasetError extends Error {
  override name = 'UnlabelledDatasetError';
}

/** Fraction of `predicted` equal to `labels`. */
export function accuracy(predicted: Uint8Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}

async function trainEpoch(
  steps: StepRunner,
  optimizer: tf.Optimizer,
  train: ImageSet,
  config: ClassifierTrainConfig,
  epoch: number,
  onStep: (step: number, stepsPerEpoch: number, meanLoss: number) => void,
): Promise<number> {
  const order = epochOrder(train.count, deriveSeed(config.seed, `shuffle-${epoch}`));
  const shifts = new SeededRandom(deriveSeed(config.seed, `shift-${epoch}`));
  const stepsPerEpoch = batchCount(train.count, config.batchSize);
  let lossSum = 0;
  for (let step = 1; step <= stepsPerEpoch; step++) {
    const batch = gatherBatch(train, order.subarray((step - 1) * config.batchSize, Math.min(step * config.batchSize, train.count)));
    const images = config.maxShift > 0 ? shiftImages(batch.images, train.height, train.width, config.maxShift, shifts, channelsOf(train)) : batch.images;
    const loss = await steps.step(optimizer, images, batch.labels);
    if (!Number.isFinite(loss)) throw new Error(`classifier training: loss is ${loss} at epoch ${epoch}, step ${step}`);
    lossSum += loss;
    onStep(step, stepsPerEpoch, lossSum / step);
  }
  return lossSum / stepsPerEpoch;
}

/**
 * One optimizer step on this thread, or sharded over replica workers: the batch is cut into
 * contiguous shards, each thread computes its shard's scaled gradient at the current weights
 * (sent with every request), the gradients are summed in shard order and one Adam update is applied here.
 */
class StepRunner {
  private readonly replicas: Replicas | undefined;
  private readonly host: CVAE | undefined;

  constructor(private readonly classifier: Classifier, threads: number) {
    if (threads > 1) {
      // @cvae/replicas' workers always hold a CVAE replica; a tiny one of the classifier's input shape, which this task never uses.
      this.host = CVAE.create({ architecture: hostArchitecture(classifier.architecture.inputShape), seed: 0 });
      this.replicas = Replicas.create(this.host, { threads, tasks: { [GRADIENT_TASK]: GRADIENT_TASK_MODULE }, label: 'classifier training worker pool' });
    }
  }

  async step(optimizer: tf.Optimizer, images: Float32Array, labels: Uint8Array): Promise<number> {
    const shards = shardRanges(labels.length, this.replicas?.threads ?? 1);
    const pixels = images.length / labels.length;
    const shard = (i: number) => ({
      images: images.slice(shards[i].start * pixels, (shards[i].start + shards[i].size) * pixels),
      labels: labels.slice(shards[i].start, shards[i].start + shards[i].size),
      scale: shards[i].size / labels.length,
    });
    if (this.replicas === undefined || shards.length === 1) {
      const own = shard(0);
      return this.apply(optimizer, classifierGradients(this.classifier, own.images, own.labels, own.scale), []);
    }
    const architecture = this.classifier.architecture;
    const weights = this.classifier.getFlatWeights();
    const { local, remote } = await this.replicas.sharded<ReturnType<typeof classifierGradients>, ClassifierGradientResponse>({
      task: GRADIENT_TASK,
      shards: shards.length,
      local: () => {
        const own = shard(0);
        return classifierGradients(this.classifier, own.images, own.labels, own.scale);
      },
      remote: (worker) => {
        const payload: ClassifierGradientRequest = { architecture, weights: weights.slice(), ...shard(worker) };
        return { payload, transfer: [payload.weights.buffer, payload.images.buffer, payload.labels.buffer] as ArrayBuffer[] };
      },
      discard: (own) => tf.dispose(own.grads),
    });
    return this.apply(optimizer, local, remote.map((r) => r.result));
  }

  async close(): Promise<void> {
    await this.replicas?.close();
    this.host?.dispose();
  }

  private apply(optimizer: tf.Optimizer, local: { loss: number; grads: tf.Tensor[] }, remote: ClassifierGradientResponse[]): number {
    const variables = this.classifier.trainableVariables();
    const loss = remote.reduce((total, r) => total + r.loss, local.loss);
    const summed = remote.length === 0 ? local.grads : sumGradients(local.grads, remote, variables);
    try {
      if (Number.isFinite(loss)) optimizer.applyGradients(Object.fromEntries(variables.map((v, i) => [v.name, summed[i]])));
      return loss;
    } finally {
      tf.dispose(local.grads);
      if (summed !== local.grads) tf.dispose(summed);
    }
  }
}

/**
 * The smallest CVAE of an input shape (flatten → dense 2 → dense h·w·c → reshape, Bernoulli): what
 * the replicas of a training pool hold, so everything they are handed has the classifier's shape.
 */
export function hostArchitecture(inputShape: readonly number[]): Architecture {
  const [height, width, channels] = inputShape;
  const architecture: Architecture = {
    name: 'cvae',
    latentDim: 1,
    inputShape: [height, width, channels as 1 | 3],
    encoder: [
      { kind: 'flatten', name: 'encoder_flatten' },
      { kind: 'dense', name: 'encoder_mean_logvar', units: 2, activation: 'linear' },
    ],
    decoder: [
      { kind: 'dense', name: 'decoder_logits_flat', units: height * width * channels, activation: 'linear' },
      { kind: 'reshape', name: 'decoder_logits', targetShape: [height, width, channels] },
    ],
  };
  validateArchitecture(architecture, 'the classifier training pool\'s host model');
  return architecture;
}

/** local + Σ remote, in shard order, as tensors shaped like `variables`. */
function sumGradients(local: tf.Tensor[], remote: ClassifierGradientResponse[], variables: tf.Variable[]): tf.Tensor[] {
  return variables.map((variable, i) => {
    const total = Float32Array.from(local[i].dataSync() as Float32Array);
    const offset = variables.slice(0, i).reduce((n, v) => n + v.size, 0);
    for (const r of remote) {
      for (let j = 0; j < total.length; j++) total[j] += r.grads[offset + j];
    }
    return tf.tensor(total, variable.shape, 'float32');
  });
}

function assertConfig(config: ClassifierTrainConfig): void {
  const positive = { epochs: config.epochs, batchSize: config.batchSize, workers: config.workers };
  for (const [name, value] of Object.entries(positive)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`classifier training: ${name} must be a positive integer, got ${value}`);
  }
  if (!(config.learningRate > 0)) throw new RangeError(`classifier training: learningRate must be positive, got ${config.learningRate}`);
  if (!(config.lrDecay > 0 && config.lrDecay <= 1)) throw new RangeError(`classifier training: lrDecay must be in (0, 1], got ${config.lrDecay}`);
  if (!Number.isInteger(config.maxShift) || config.maxShift < 0) throw new RangeError(`classifier training: maxShift must be a non-negative integer, got ${config.maxShift}`);
}
