/**
 * Training throughput for `cvae bench`: the same step the training loop runs (ParallelTrainer; with
 * workers = 1 it is exactly trainStep's math on one thread), on real batches of a dataset of the
 * model's shape, or on seeded synthetic images where there is none (the arithmetic does not depend
 * on the pixels, as the PyTorch peer's --synthetic).
 */
import { SeededRandom, iterateBatches } from '@cvae/dataset';
import * as os from 'os';
import { Architecture, CVAE, KlEstimator, SEED_IMAGE_SHAPE, Throughput, binarizationFor, cvaeFlops, loadImagesFor, measureConvPeakGflops, throughput, tutorialArchitecture } from '@cvae/model';
import { convKernelsDescription, initBackend } from '@cvae/tfjs-kernels';
import { runSeeds } from './config';
import { createOptimizer } from './step';
import { ParallelTrainer } from './trainer';

export interface BenchmarkOptions {
  backend: string;
  batchSize: number;
  latentDim: number;
  /** What to train (default: the tutorial's architecture with `latentDim`). */
  architecture?: Architecture;
  /** Timed steps. */
  steps: number;
  /** Untimed steps first (JIT, wasm warm-up, Adam's slot creation, worker start-up effects). */
  warmup: number;
  /** Threads computing gradients, the main thread included. */
  workers: number;
  dataDir?: string;
  seed?: number;
  kl?: KlEstimator;
}

export interface BenchmarkResult extends Throughput {
  task: 'train';
  batchSize: number;
  backend: string;
  /** What runs the convolutions, e.g. 'conv.wasm simd128-fma'. */
  convKernels: string;
  workers: number;
  /** Median, because the machine may be shared: it ignores the occasional preempted step. */
  msPerStepMedian: number;
  msPerImage: number;
  imagesPerSecond: number;
  /** Largest resident set seen during the timed steps (worker threads share the process, so they are included). */
  peakRssMb: number;
  /** 1-minute load average of the machine at the start and the end (other jobs slow a shared machine). */
  loadAverage: [number, number];
}

export async function benchmarkTraining(options: BenchmarkOptions): Promise<BenchmarkResult> {
  assertBenchmarkOptions(options);
  const { batchSize, steps, warmup, workers, seed = 1, kl = 'monte-carlo' } = options;
  const architecture = options.architecture ?? tutorialArchitecture(options.latentDim);
  const latentDim = architecture.latentDim;
  const backend = await initBackend(options.backend);
  const loadAtStart = os.loadavg()[0];
  const batches = benchmarkBatches(options, architecture, steps + warmup);
  // Before any worker starts: the calibration times this thread alone.
  const peakGflopsPerCore = measureConvPeakGflops();
  const model = CVAE.create({ architecture, seed: runSeeds.init(seed) });
  const optimizer = createOptimizer();
  let trainer: ParallelTrainer | undefined;
  try {
    trainer = await ParallelTrainer.start(model, { workers, backend: options.backend });
    const stepMs: number[] = [];
    let peakRss = 0;
    for (let step = 0; step < steps + warmup; step++) {
      const eps = new SeededRandom(runSeeds.stepEps(seed, 1, step)).normals(batchSize * latentDim);
      const started = performance.now();
      await trainer.step(optimizer, { images: batches[step % batches.length], eps }, { kl });
      if (step >= warmup) {
        stepMs.push(performance.now() - started);
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }
    }
    const msPerStepMedian = median(stepMs);
    const msPerImage = msPerStepMedian / batchSize;
    const imagesPerSecond = 1000 / msPerImage;
    return {
      task: 'train', batchSize, backend: backend.name, convKernels: convKernelsDescription(backend.name), workers,
      msPerStepMedian, msPerImage, imagesPerSecond, peakRssMb: peakRss / 2 ** 20,
      ...throughput(cvaeFlops(architecture).trainingStep, imagesPerSecond, peakGflopsPerCore, workers),
      loadAverage: [loadAtStart, os.loadavg()[0]],
    };
  } finally {
    await trainer?.close();
    model.dispose();
    optimizer.dispose();
  }
}

/**
 * Full batches of training images, enough for `count` steps without reloading (cycled if the set is
 * smaller): the dataset's when given (or, for the seed's shape, the embedded MNIST), else synthetic.
 */
function benchmarkBatches(options: BenchmarkOptions, architecture: Architecture, count: number): Float32Array[] {
  const seedShape = architecture.inputShape.every((d, i) => d === SEED_IMAGE_SHAPE[i]);
  if (options.dataDir === undefined && !seedShape) return syntheticBatches(options.batchSize, architecture, Math.min(count, 8));
  const limit = Math.min(60_000, options.batchSize * count);
  const set = loadImagesFor(architecture, 'train', { dataDir: options.dataDir, limit });
  const batches = [...iterateBatches(set, { batchSize: options.batchSize, seed: 1 })].filter((b) => b.labels.length === options.batchSize);
  if (batches.length === 0) throw new RangeError(`benchmark: batchSize ${options.batchSize} exceeds the ${set.count} training images`);
  return batches.map((b) => b.images);
}

/** Seeded random images of the model's shape: binary for Bernoulli, 8-bit levels otherwise. */
function syntheticBatches(batchSize: number, architecture: Architecture, count: number): Float32Array[] {
  const [height, width, channels] = architecture.inputShape;
  const binary = binarizationFor(architecture) !== 'none';
  const random = new SeededRandom(1);
  return Array.from({ length: count }, () => {
    const images = new Float32Array(batchSize * height * width * channels);
    for (let i = 0; i < images.length; i++) images[i] = binary ? (random.uniform() > 0.5 ? 1 : 0) : Math.floor(random.uniform() * 256) / 255;
    return images;
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function assertBenchmarkOptions(options: BenchmarkOptions): void {
  for (const field of ['batchSize', 'latentDim', 'steps', 'workers'] as const) {
    if (!Number.isInteger(options[field]) || options[field] < 1) throw new RangeError(`benchmark: ${field} must be a positive integer, got ${options[field]}`);
  }
  if (!Number.isInteger(options.warmup) || options.warmup < 0) throw new RangeError(`benchmark: warmup must be a non-negative integer, got ${options.warmup}`);
}
