/**
 * Evaluation throughput for `cvae bench --task eval|iwae`: the ELBO metrics of `cvae eval` (encoder +
 * two decodes per image) or the IWAE bound (encoder + k decodes per image) over test images, on the
 * replica threads, worker start-up included (as `cvae eval` pays it), with GFLOP/s against the conv
 * kernels' measured peak.
 */
import * as os from 'os';
import { CVAE, Throughput, cvaeFlops, loadCheckpoint, loadImagesFor, measureConvPeakGflops, throughput } from '@cvae/model';
import { Replicas, perImageIwae } from '@cvae/replicas';
import { convKernelsDescription, initBackend } from '@cvae/tfjs-kernels';
import { evaluateModel } from './metrics';

export interface EvaluationBenchmarkOptions {
  task: 'eval' | 'iwae';
  backend: string;
  /** Threads, this one included. */
  workers: number;
  /** First test images evaluated. */
  images: number;
  /** Importance samples per image (iwae). */
  k: number;
  /** A checkpoint to evaluate; default a freshly seeded model (the arithmetic is the same). */
  checkpoint?: string;
  dataDir?: string;
  seed?: number;
}

export interface EvaluationBenchmarkResult extends Throughput {
  task: 'eval' | 'iwae';
  backend: string;
  convKernels: string;
  workers: number;
  images: number;
  k?: number;
  seconds: number;
  imagesPerSecond: number;
  msPerImage: number;
  /** Resident set at the end (worker threads share the process). */
  rssMb: number;
  loadAverage: [number, number];
}

export async function benchmarkEvaluation(options: EvaluationBenchmarkOptions): Promise<EvaluationBenchmarkResult> {
  const { task, workers, images, k, seed = 0 } = options;
  for (const [name, value] of Object.entries({ workers, images, k })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`benchmark: ${name} must be a positive integer, got ${value}`);
  }
  const backend = await initBackend(options.backend);
  const loadAtStart = os.loadavg()[0];
  const model = options.checkpoint ? (await loadCheckpoint(options.checkpoint)).model : CVAE.create({ latentDim: 2, seed: 1 });
  try {
    const set = loadImagesFor(model.architecture, 'test', { dataDir: options.dataDir, limit: images });
    const peakGflopsPerCore = measureConvPeakGflops();
    const started = performance.now();
    if (task === 'eval') await evaluateModel(model, set, { seed, workers });
    else await iwaeOnly(model, set.images, k, workers, seed);
    const seconds = (performance.now() - started) / 1000;
    const flops = cvaeFlops(model.architecture);
    const perImage = task === 'eval' ? flops.encode + 2 * flops.decode : flops.encode + k * flops.decode;
    const imagesPerSecond = set.count / seconds;
    return {
      task, backend: backend.name, convKernels: convKernelsDescription(backend.name), workers, images: set.count, ...(task === 'iwae' ? { k } : {}),
      seconds, imagesPerSecond, msPerImage: 1000 / imagesPerSecond, rssMb: process.memoryUsage.rss() / 2 ** 20,
      ...throughput(perImage, imagesPerSecond, peakGflopsPerCore, workers),
      loadAverage: [loadAtStart, os.loadavg()[0]],
    };
  } finally {
    model.dispose();
  }
}

async function iwaeOnly(model: CVAE, images: Float32Array, k: number, workers: number, seed: number): Promise<void> {
  const replicas = Replicas.create(model, { threads: workers, label: 'benchmark worker pool' });
  try {
    await perImageIwae(replicas, images, k, { seed });
  } finally {
    await replicas.close();
  }
}
