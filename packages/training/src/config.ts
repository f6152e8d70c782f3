import { deriveSeed } from '@cvae/dataset';
import { BACKEND_PREFERENCES, BackendPreference, KlEstimator } from '@cvae/model';
import { DEFAULT_LEARNING_RATE } from './step';

/** Everything that determines a run's result (plus where its data comes from and which backend runs it). */
export interface TrainConfig {
  epochs: number;
  batchSize: number;
  latentDim: number;
  /** Weight init, per-epoch shuffles and per-step eps all derive from it (see runSeeds). */
  seed: number;
  learningRate: number;
  /** Train on the first N training images only. */
  limit?: number;
  /** Evaluate on the first N test images only (default: all 10,000). */
  testLimit?: number;
  backend: BackendPreference;
  dataDir?: string;
  kl: KlEstimator;
}

export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = {
  epochs: 10,
  batchSize: 32,
  latentDim: 2,
  seed: 1,
  learningRate: DEFAULT_LEARNING_RATE,
  backend: 'auto',
  kl: 'monte-carlo',
};

/** Re-exported for callers that configure training without importing @cvae/model. */
export { BACKEND_PREFERENCES };
export const KL_ESTIMATORS: readonly KlEstimator[] = ['monte-carlo', 'analytic'];

export function withDefaults(config: Partial<TrainConfig>): TrainConfig {
  const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_TRAIN_CONFIG, ...defined };
}

/** Throws a one-line RangeError naming the first bad field. */
export function assertValidConfig(config: TrainConfig): void {
  const positiveInts: (keyof TrainConfig)[] = ['epochs', 'batchSize', 'latentDim', 'limit', 'testLimit'];
  for (const field of positiveInts) {
    const value = config[field];
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1)) {
      throw new RangeError(`training config: ${field} must be a positive integer, got ${String(value)}`);
    }
  }
  if (!Number.isInteger(config.seed) || config.seed < 0) throw new RangeError(`training config: seed must be a non-negative integer, got ${config.seed}`);
  if (!(Number.isFinite(config.learningRate) && config.learningRate > 0)) {
    throw new RangeError(`training config: learningRate must be a positive number, got ${config.learningRate}`);
  }
  if (!BACKEND_PREFERENCES.includes(config.backend)) throw new RangeError(`training config: backend must be one of ${BACKEND_PREFERENCES.join(', ')}, got ${config.backend}`);
  if (!KL_ESTIMATORS.includes(config.kl)) throw new RangeError(`training config: kl must be one of ${KL_ESTIMATORS.join(', ')}, got ${config.kl}`);
}

/**
 * Every random stream of a run, derived from its one seed. Per-epoch and per-step seeds (rather than
 * one long stream) let a resumed run recompute exactly the shuffle and eps it would have used.
 */
export const runSeeds = {
  init: (seed: number) => deriveSeed(seed, 'init'),
  shuffle: (seed: number, epoch: number) => deriveSeed(seed, `shuffle/epoch-${epoch}`),
  stepEps: (seed: number, epoch: number, batch: number) => deriveSeed(seed, `eps/epoch-${epoch}/batch-${batch}`),
};

/** Sortable, filesystem-safe local timestamp, e.g. 20250101-093000. */
export function defaultRunName(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
}
