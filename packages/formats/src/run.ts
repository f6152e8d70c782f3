/** The files of a training run directory: run.json, metrics.jsonl, and the checkpoint's training state. */
import { z } from 'zod';
import { ArchitectureSchema } from './architecture';
import { DatasetIdentitySchema } from './dataset';
import { BackendPreferenceSchema, IsoDate, KlEstimatorSchema, NonNegativeInt, PositiveInt, Seed } from './common';

/** Everything that determines a run's result (plus where its data comes from and which backend runs it). */
export const TrainConfigSchema = z.object({
  epochs: PositiveInt,
  batchSize: PositiveInt,
  latentDim: PositiveInt,
  /** Weight init, per-epoch shuffles and per-step eps all derive from it. */
  seed: Seed,
  learningRate: z.number().positive(),
  /** Train on the first N training images only. */
  limit: PositiveInt.optional(),
  /** Evaluate on the first N test images only (default: all). */
  testLimit: PositiveInt.optional(),
  backend: BackendPreferenceSchema,
  dataDir: z.string().optional(),
  kl: KlEstimatorSchema,
  /** What is trained (absent: the tutorial's architecture with `latentDim`, as in runs from before models were data). */
  architecture: ArchitectureSchema.optional(),
  /** The preset or model file it came from, as given to --model. */
  model: z.string().optional(),
  /** An image folder without a train/test split: the share of each class held out for testing (default 0.1). */
  testFraction: z.number().gt(0).lt(1).optional(),
  /** β, the weight of the KL term (absent: 1, the ELBO). */
  beta: z.number().nonnegative().optional(),
});
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

export const RUN_STATUSES = ['running', 'completed', 'interrupted', 'failed'] as const;

const SessionSchema = z.object({
  startedAt: IsoDate,
  endedAt: IsoDate.optional(),
  backend: z.string(),
  /** Absent in runs made before worker threads existed. */
  workers: PositiveInt.optional(),
  resumedAt: z.object({ epoch: PositiveInt, batch: NonNegativeInt }).optional(),
});

/** `runs/<name>/run.json`. Loose: fields a later version adds survive a rewrite by this one. */
export const RunInfoSchema = z.looseObject({
  name: z.string(),
  status: z.enum(RUN_STATUSES),
  config: TrainConfigSchema,
  backend: z.object({ name: z.string(), preference: z.string(), reason: z.string() }),
  versions: z.object({ node: z.string(), tfjs: z.string(), cvae: z.string() }),
  /** The dataset the run trains on (absent in runs from before datasets were identified). */
  dataset: DatasetIdentitySchema.optional(),
  startedAt: IsoDate,
  endedAt: IsoDate.optional(),
  error: z.string().optional(),
  sessions: z.array(SessionSchema),
  timings: z.object({
    epochs: z.array(z.object({ epoch: PositiveInt, trainSeconds: z.number(), evalSeconds: z.number(), saveSeconds: z.number() })),
    totalSeconds: z.number(),
  }),
});
export type RunInfo = z.infer<typeof RunInfoSchema>;

/** One line of `runs/<name>/metrics.jsonl`: an epoch's training loss and test metrics. */
export const MetricRowSchema = z.object({
  epoch: PositiveInt,
  /** Optimizer steps taken so far in the run. */
  step: NonNegativeInt,
  /** Mean −ELBO over the epoch's training batches (one Monte Carlo sample each). */
  trainLoss: z.number(),
  testElbo: z.number(),
  testElboStdErr: z.number(),
  /** Mean squared error between the binarized input and sigmoid(decode(mean)). */
  reconMse: z.number(),
  /** Mean closed-form KL(q(z|x) ‖ N(0, I)). */
  kl: z.number(),
  /** Training time of the epoch (excludes evaluation, samples and checkpoints). */
  epochSeconds: z.number(),
  imagesPerSecond: z.number(),
  backend: z.string(),
  /** Resident set of the training process (worker threads included) after the epoch; absent in older runs. */
  rssMb: z.number().positive().optional(),
});
export type MetricRow = z.infer<typeof MetricRowSchema>;

export const TRAINING_STATE_FORMAT_VERSION = 1;

/** `<checkpoint>/training/state.json`: what a checkpoint needs besides weights and Adam's state to continue exactly. */
export const TrainingStateSchema = z.object({
  formatVersion: z.literal(TRAINING_STATE_FORMAT_VERSION),
  config: TrainConfigSchema,
  epochsCompleted: NonNegativeInt,
  /** Next batch index within epoch epochsCompleted + 1 (0 at an epoch boundary). */
  nextBatch: NonNegativeInt,
  step: NonNegativeInt,
  /** The unfinished epoch's loss sum and timing, so a mid-epoch resume reports the same trainLoss. */
  partialEpoch: z.object({ lossSum: z.number(), batches: NonNegativeInt, images: NonNegativeInt, seconds: z.number() }),
  bestTestElbo: z.number().nullable(),
});
export type TrainingState = z.infer<typeof TrainingStateSchema>;

/** `<checkpoint>/optimizer/adam.json`: the layout of optimizer/adam.bin. */
export const AdamSpecSchema = z.object({
  kind: z.literal('adam'),
  /** getWeights() order: the iteration count, then first moments, then second moments. */
  tensors: z.array(z.object({ name: z.string(), shape: z.array(NonNegativeInt), dtype: z.enum(['float32', 'int32']) })),
  /** Adam's running β₁ᵗ and β₂ᵗ, as float32 values. */
  accBeta1: z.number(),
  accBeta2: z.number(),
});
export type AdamSpec = z.infer<typeof AdamSpecSchema>;
