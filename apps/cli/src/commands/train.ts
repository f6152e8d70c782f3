import { existsSync } from 'fs';
import * as path from 'path';
import { InvalidArgumentError, Option } from 'commander';
import { KL_ESTIMATORS, KlEstimator, workspaceLayout } from '@cvae/formats';
import { MODEL_PRESETS, resolveModel } from '@cvae/model';
import { consoleReporter, DEFAULT_TRAIN_CONFIG, defaultRunName, resumeTraining, train, TrainConfig, TrainResult } from '@cvae/training';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand, Io } from '../command';
import { UsageError } from '../errors';
import { backendOption, choiceOption, dataDirOption, integer, isDirectory, nonNegativeNumber, positiveNumber, seedOption, workersOption, workspacePathOption } from '../options';

const EXIT_ON_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

type TrainOptions = {
  epochs?: number;
  batchSize?: number;
  latentDim?: number;
  seed?: number;
  lr?: number;
  limit?: number;
  testLimit?: number;
  backend?: BackendPreference;
  dataDir?: string;
  out: string;
  name?: string;
  resume?: string;
  workers: number;
  kl?: KlEstimator;
  model?: string;
  beta?: number;
  testFraction?: number;
};

/** Flags that fix what a run computes; a resumed run keeps the values saved in its checkpoint. */
const FIXED_WHEN_RESUMING = ['name', 'batchSize', 'latentDim', 'seed', 'lr', 'limit', 'testLimit', 'kl', 'model', 'beta', 'testFraction'] as const;
const DEFAULT_MODEL = 'tutorial';

type Plan =
  | { kind: 'start'; config: Partial<TrainConfig>; outDir: string; name: string }
  | { kind: 'resume'; runDir: string; overrides: { epochs?: number; backend?: TrainConfig['backend']; dataDir?: string } };

const defaults = DEFAULT_TRAIN_CONFIG;

export const trainCommand: CliCommand<TrainOptions> = {
  path: ['train'],
  summary: 'Train the CVAE on MNIST into runs/<name>/ (checkpoints, samples, metrics.jsonl, run.json); Ctrl-C saves and stops, --resume continues.',
  // The run's configuration flags have no commander defaults: "given or not" is what --resume checks,
  // and the library fills in DEFAULT_TRAIN_CONFIG (quoted in the help text).
  define: (command) =>
    command
      .addOption(new Option('--epochs <N>', `epochs to train (total, also when resuming; default ${defaults.epochs})`).argParser(integer(1)))
      .addOption(new Option('--batch-size <N>', `images per step (default ${defaults.batchSize})`).argParser(integer(1)))
      .addOption(new Option('--model <PRESET|FILE>', `what to train: a preset (${Object.keys(MODEL_PRESETS).join(', ')}) or a JSON model file (default ${DEFAULT_MODEL})`))
      .addOption(new Option('--latent-dim <N>', `latent dimensions (default: the model's; ${defaults.latentDim} for ${DEFAULT_MODEL})`).argParser(integer(1, 1024)))
      .addOption(new Option('--beta <B>', 'weight of the KL term (default 1: the ELBO; β-VAE otherwise)').argParser(nonNegativeNumber))
      .addOption(seedOption(`weight init, shuffling and noise; same seed + backend = same run (default ${defaults.seed})`))
      .addOption(new Option('--lr <RATE>', `Adam learning rate (default ${defaults.learningRate})`).argParser(positiveNumber))
      .addOption(new Option('--limit <N>', 'train on the first N training images only (default: all 60,000)').argParser(integer(1)))
      .addOption(new Option('--test-limit <N>', 'evaluate each epoch on the first N test images only (default: all 10,000)').argParser(integer(1)))
      .addOption(backendOption())
      .addOption(dataDirOption())
      .addOption(new Option('--test-fraction <F>', 'an image folder without train/ and test/: the share of each class held out for testing, by a seeded split (default 0.1)').argParser(fraction))
      .addOption(workspacePathOption('--out <DIR>', 'parent directory of runs', workspaceLayout().runs))
      .addOption(new Option('--name <NAME>', 'run directory name (default: a timestamp)').argParser(runName))
      .addOption(new Option('--resume <RUN>', 'continue RUN (a name under --out, or a run directory) from checkpoints/last; only --epochs, --backend, --data-dir and --workers may be given with it'))
      .addOption(workersOption('computing gradients (use 1 with tfjs-node, which is multi-threaded itself)'))
      .addOption(choiceOption('--kl <ESTIMATOR>', `KL term of the loss (default ${defaults.kl}, as in the tutorial)`, KL_ESTIMATORS)),
  async run(options, _operands, io) {
    const plan = planRun(options);
    const workers = options.workers;
    return withSignalHandlers(io, async (signal) => {
      const reporter = consoleReporter({ write: io.stdout, isTTY: io.isTTY });
      const result =
        plan.kind === 'start'
          ? await train(plan.config, { outDir: plan.outDir, name: plan.name, reporter, signal, workers })
          : await resumeTraining(plan.runDir, plan.overrides, { reporter, signal, workers });
      return report(result, io, signal);
    });
  },
};

function fraction(raw: string): number {
  const value = Number(raw);
  if (raw.trim() !== '' && value > 0 && value < 1) return value;
  throw new InvalidArgumentError(`must be a number between 0 and 1, got '${raw}'`);
}

function runName(raw: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(raw)) return raw;
  throw new InvalidArgumentError(`must be letters, digits, '.', '_' or '-' (a single directory name), got '${raw}'`);
}

/** Checks what the flags cannot check alone (resume conflicts, existing runs) before any work starts (UsageError → exit 2). */
function planRun(options: TrainOptions): Plan {
  const { epochs, backend, dataDir, out: outDir, resume } = options;
  if (resume !== undefined) {
    const fixed = FIXED_WHEN_RESUMING.find((key) => options[key] !== undefined);
    if (fixed) throw new UsageError(`--${kebab(fixed)} cannot be combined with --resume: a resumed run keeps the configuration in its run.json`);
    return { kind: 'resume', runDir: resolveRunToResume(resume, outDir), overrides: { epochs, backend, dataDir } };
  }
  const { batchSize, seed, lr: learningRate, limit, testLimit, kl, beta, testFraction } = options;
  const name = options.name ?? defaultRunName();
  if (existsSync(path.join(outDir, name))) {
    throw new UsageError(`run ${path.join(outDir, name)} already exists: continue it with --resume ${name}, or choose another --name`);
  }
  const model = options.model ?? DEFAULT_MODEL;
  const architecture = resolveModel(model, options.latentDim);
  const config = { epochs, batchSize, latentDim: architecture.latentDim, architecture, model, beta, testFraction, seed, learningRate, limit, testLimit, backend, dataDir, kl };
  return { kind: 'start', config, outDir, name };
}

/** batchSize → batch-size: the flag an option key came from. */
function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** A run name under --out, or a path to a run directory; it must hold run.json and checkpoints/. */
function resolveRunToResume(run: string, outDir: string): string {
  const candidates = [path.join(outDir, run), run];
  const runDir = candidates.find((dir) => existsSync(path.join(dir, 'run.json')));
  if (runDir === undefined) throw new UsageError(`--resume ${run}: no such run (looked for run.json in ${[...new Set(candidates)].join(' and ')})`);
  if (!isDirectory(path.join(runDir, 'checkpoints'))) throw new UsageError(`--resume ${run}: ${runDir} has no checkpoints to resume from`);
  return runDir;
}

/**
 * The first SIGINT/SIGTERM asks the loop to stop after the current step and save; a second one
 * exits at once (the checkpoints on disk are always complete, so that is safe too).
 */
async function withSignalHandlers(io: Io, body: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_ON_SIGNAL[name] ?? 1);
    io.stderr(`\n${name}: finishing the current step and saving checkpoints/last (send again to quit at once)\n`);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function report(result: TrainResult, io: Io, signal: AbortSignal): number {
  const best = result.metrics.reduce<number | undefined>((b, m) => (b === undefined || m.testElbo > b ? m.testElbo : b), undefined);
  const last = result.metrics[result.metrics.length - 1];
  if (result.status === 'interrupted') {
    io.stdout(`stopped at epoch ${result.epochsCompleted + 1}, step ${result.step}; continue with: cvae train --resume ${result.runDir}\n`);
    return EXIT_ON_SIGNAL[String(signal.reason)] ?? 130;
  }
  if (last) io.stdout(`${result.runDir}: test ELBO ${last.testElbo.toFixed(2)} after epoch ${last.epoch} (best ${best?.toFixed(2)})\n`);
  return 0;
}
