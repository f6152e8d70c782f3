import { Option } from 'commander';
import { benchmarkTraining, BenchmarkResult } from '@cvae/training';
import { benchmarkEvaluation, EvaluationBenchmarkResult } from '@cvae/evaluation';
import { MODEL_PRESETS, resolveModel } from '@cvae/model';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand } from '../command';
import { formatTable } from '../format';
import { backendOption, choiceOption, dataDirOption, optionalCheckpoint, integer, jsonOption, workersOption } from '../options';

const TASKS = ['train', 'eval', 'iwae'] as const;
type Task = (typeof TASKS)[number];

type BenchOptions = {
  task: Task;
  backend?: BackendPreference;
  batchSize: number;
  latentDim?: number;
  model: string;
  dataDir?: string;
  steps: number;
  warmup: number;
  workers: number;
  images?: number;
  iwSamples: number;
  checkpoint?: string;
  json?: boolean;
};

/** Test images per task when --images is not given: all of them for eval, a tenth for IWAE (k decodes each). */
const DEFAULT_IMAGES: Record<Exclude<Task, 'train'>, number> = { eval: 10_000, iwae: 1_000 };

export const benchCommand: CliCommand<BenchOptions> = {
  path: ['bench'],
  summary: 'Measure speed: training steps of any model on real or synthetic batches (train), test-set metrics (eval) or the IWAE bound (iwae), with GFLOP/s against the conv kernels\' measured peak.',
  define: (command) =>
    command
      .addOption(choiceOption('--task <TASK>', 'what to time', TASKS).default('train'))
      .addOption(backendOption())
      .addOption(new Option('--batch-size <N>', 'train: images per training step').argParser(integer(1, 60_000)).default(100))
      .addOption(new Option('--model <PRESET|FILE>', `train: what to train, a preset (${Object.keys(MODEL_PRESETS).join(', ')}) or a JSON model file`).default('tutorial'))
      .addOption(new Option('--latent-dim <N>', 'train: latent dimensions (default: the model\'s; 2 for tutorial)').argParser(integer(1, 512)))
      .addOption(dataDirOption('train: default the embedded MNIST for 28×28×1 models, seeded synthetic images of the model\'s shape otherwise'))
      .addOption(new Option('--steps <N>', 'train: timed steps').argParser(integer(1)).default(20))
      .addOption(new Option('--warmup <N>', 'train: untimed steps first').argParser(integer(0)).default(3))
      .addOption(new Option('--images <N>', `eval/iwae: first N test images (default ${DEFAULT_IMAGES.eval} for eval, ${DEFAULT_IMAGES.iwae} for iwae)`).argParser(integer(1, 10_000)))
      .addOption(new Option('--iw-samples <K>', 'iwae: importance samples per image').argParser(integer(1, 10_000)).default(64))
      .addOption(new Option('--checkpoint <DIR>', 'eval/iwae: checkpoint to evaluate (default a freshly seeded model: the arithmetic is the same)'))
      .addOption(workersOption('computing (use 1 with tfjs-node, which is multi-threaded itself)'))
      .addOption(jsonOption()),
  async run(options, _operands, io) {
    const result = options.task === 'train' ? await train(options) : await evaluation(options, options.task);
    io.stdout(options.json ? `${JSON.stringify(result)}\n` : `${table(result)}\n`);
    return 0;
  },
};

function train(options: BenchOptions): Promise<BenchmarkResult> {
  const { batchSize, steps, warmup, workers, dataDir } = options;
  const architecture = resolveModel(options.model, options.latentDim);
  return benchmarkTraining({ backend: options.backend ?? 'auto', batchSize, latentDim: architecture.latentDim, architecture, steps, warmup, workers, dataDir });
}

function evaluation(options: BenchOptions, task: 'eval' | 'iwae'): Promise<EvaluationBenchmarkResult> {
  const checkpoint = optionalCheckpoint(options.checkpoint);
  const images = options.images ?? DEFAULT_IMAGES[task];
  return benchmarkEvaluation({ task, backend: options.backend ?? 'auto', workers: options.workers, images, k: options.iwSamples, checkpoint });
}

function table(r: BenchmarkResult | EvaluationBenchmarkResult): string {
  const speed = [r.gflopsPerSecond.toFixed(1), r.peakGflopsPerCore.toFixed(1), `${(100 * r.fractionOfPeak).toFixed(0)} %`];
  const load = `${r.loadAverage[0].toFixed(2)} → ${r.loadAverage[1].toFixed(2)}`;
  if (r.task === 'train') {
    return formatTable(
      ['task', 'backend', 'conv kernels', 'workers', 'batch', 'ms/step (median)', 'ms/image', 'images/s', 'GFLOP/s', 'peak GFLOP/s per core', 'of peak × workers', 'peak RSS MB', 'load avg'],
      [['train', r.backend, r.convKernels, String(r.workers), String(r.batchSize), r.msPerStepMedian.toFixed(1), r.msPerImage.toFixed(3), r.imagesPerSecond.toFixed(0), ...speed, r.peakRssMb.toFixed(0), load]],
    );
  }
  return formatTable(
    ['task', 'backend', 'conv kernels', 'workers', 'images', 'k', 'seconds', 'ms/image', 'images/s', 'GFLOP/s', 'peak GFLOP/s per core', 'of peak × workers', 'RSS MB', 'load avg'],
    [[r.task, r.backend, r.convKernels, String(r.workers), String(r.images), r.k === undefined ? '-' : String(r.k), r.seconds.toFixed(2), r.msPerImage.toFixed(3), r.imagesPerSecond.toFixed(0), ...speed, r.rssMb.toFixed(0), load]],
  );
}
