import { existsSync, statSync } from 'fs';
import * as path from 'path';
import { KL_ESTIMATORS } from '@cvae/formats';
import { consoleReporter, defaultRunName, resumeTraining, train, TrainConfig, TrainResult } from '@cvae/training';
import { choiceOption, intOption, ParsedOptions, positiveNumberOption, stringOption } from '../args';
import type { Command, Io } from '../command';
import { UsageError } from '../errors';
import { BACKEND_OPTION, backendOption, workersFlag, WORKERS_OPTION } from './backend-option';

const MAX_SEED = 2 ** 32 - 1;
/** Flags that fix what a run computes; a resumed run keeps the values saved in its checkpoint. */
const FIXED_WHEN_RESUMING = ['name', 'batch-size', 'latent-dim', 'seed', 'lr', 'limit', 'test-limit', 'kl'] as const;
const EXIT_ON_SIGNAL: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

type Plan =
  | { kind: 'start'; config: Partial<TrainConfig>; outDir: string; name: string }
  | { kind: 'resume'; runDir: string; overrides: { epochs?: number; backend?: TrainConfig['backend']; dataDir?: string } };

export const trainCommand: Command = {
  path: ['train'],
  summary: 'Train the CVAE on MNIST into runs/<name>/ (checkpoints, samples, metrics.jsonl, run.json); Ctrl-C saves and stops, --resume continues.',
  options: {
    epochs: { type: 'string', value: 'N', description: 'epochs to train (total, also when resuming; default 10)' },
    'batch-size': { type: 'string', value: 'N', description: 'images per step (default 32)' },
    'latent-dim': { type: 'string', value: 'N', description: 'latent dimensions (default 2)' },
    seed: { type: 'string', value: 'N', description: 'seed for weight init, shuffling and noise; same seed + backend = same run (default 1)' },
    lr: { type: 'string', value: 'RATE', description: 'Adam learning rate (default 1e-4)' },
    limit: { type: 'string', value: 'N', description: 'train on the first N training images only (default: all 60,000)' },
    'test-limit': { type: 'string', value: 'N', description: 'evaluate each epoch on the first N test images only (default: all 10,000)' },
    backend: BACKEND_OPTION,
    'data-dir': { type: 'string', value: 'DIR', description: 'directory with the four MNIST IDX files (default: embedded MNIST)' },
    out: { type: 'string', value: 'DIR', description: 'parent directory of runs (default runs)' },
    name: { type: 'string', value: 'NAME', description: 'run directory name (default: a timestamp)' },
    resume: { type: 'string', value: 'RUN', description: 'continue RUN (a name under --out, or a run directory) from checkpoints/last; only --epochs, --backend and --data-dir may be given with it' },
    workers: WORKERS_OPTION,
    kl: { type: 'string', value: 'ESTIMATOR', description: `KL term of the loss: ${KL_ESTIMATORS.join(', ')} (default monte-carlo, as in the tutorial)` },
  },
  async run(options, _positionals, io) {
    const plan = planRun(options);
    const workers = workersFlag(options);
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

/** Validates every flag and the file system preconditions before any work starts (UsageError → exit 2). */
function planRun(options: ParsedOptions): Plan {
  const epochs = intOption(options, 'epochs', 1);
  const backend = backendOption(options);
  const dataDir = stringOption(options, 'data-dir');
  if (dataDir !== undefined && !isDirectory(dataDir)) throw new UsageError(`--data-dir ${dataDir}: directory does not exist`);
  const outDir = stringOption(options, 'out') ?? 'runs';
  const resume = stringOption(options, 'resume');
  if (resume !== undefined) {
    const fixed = FIXED_WHEN_RESUMING.find((flag) => options[flag] !== undefined);
    if (fixed) throw new UsageError(`--${fixed} cannot be combined with --resume: a resumed run keeps the configuration in its run.json`);
    return { kind: 'resume', runDir: resolveRunToResume(resume, outDir), overrides: { epochs, backend, dataDir } };
  }
  const config: Partial<TrainConfig> = {
    epochs,
    batchSize: intOption(options, 'batch-size', 1),
    latentDim: intOption(options, 'latent-dim', 1, 1024),
    seed: intOption(options, 'seed', 0, MAX_SEED),
    learningRate: positiveNumberOption(options, 'lr'),
    limit: intOption(options, 'limit', 1),
    testLimit: intOption(options, 'test-limit', 1),
    backend,
    dataDir,
    kl: choiceOption(options, 'kl', KL_ESTIMATORS),
  };
  const name = stringOption(options, 'name') ?? defaultRunName();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new UsageError(`--name must be letters, digits, '.', '_' or '-' (a single directory name), got '${name}'`);
  if (existsSync(path.join(outDir, name))) {
    throw new UsageError(`run ${path.join(outDir, name)} already exists: continue it with --resume ${name}, or choose another --name`);
  }
  return { kind: 'start', config, outDir, name };
}

/** A run name under --out, or a path to a run directory; it must hold run.json and checkpoints/. */
function resolveRunToResume(run: string, outDir: string): string {
  const candidates = [path.join(outDir, run), run];
  const runDir = candidates.find((dir) => existsSync(path.join(dir, 'run.json')));
  if (runDir === undefined) throw new UsageError(`--resume ${run}: no such run (looked for run.json in ${[...new Set(candidates)].join(' and ')})`);
  if (!isDirectory(path.join(runDir, 'checkpoints'))) throw new UsageError(`--resume ${run}: ${runDir} has no checkpoints to resume from`);
  return runDir;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
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
