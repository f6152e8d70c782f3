import { deriveSeed } from '@cvae/dataset';
import { TrainConfig, TrainConfigSchema, parseFormat } from '@cvae/formats';
import { Architecture, ArchitectureError, tutorialArchitecture, validateArchitecture } from '@cvae/model';
import { DEFAULT_LEARNING_RATE } from './step';

export type { TrainConfig };

export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = {
  epochs: 10,
  batchSize: 32,
  latentDim: 2,
  seed: 1,
  learningRate: DEFAULT_LEARNING_RATE,
  backend: 'auto',
  kl: 'monte-carlo',
};

export function withDefaults(config: Partial<TrainConfig>): TrainConfig {
  const defined = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  return { ...DEFAULT_TRAIN_CONFIG, ...defined };
}

/** Throws a one-line error naming the first bad field (the run.json schema's rules). */
export function assertValidConfig(config: TrainConfig): void {
  parseFormat(TrainConfigSchema, config, 'training config');
  if (config.architecture === undefined) return;
  validateArchitecture(config.architecture, config.model === undefined ? 'model' : `model ${config.model}`);
  if (config.architecture.latentDim !== config.latentDim) {
    throw new ArchitectureError(`training config: latentDim ${config.latentDim} differs from the model's ${config.architecture.latentDim}`);
  }
}

/** What a run trains: its recorded architecture, or (runs from before models were data) the tutorial's. */
export function architectureOf(config: TrainConfig): Architecture {
  return config.architecture ?? tutorialArchitecture(config.latentDim);
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
