import { promises as fs } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { CVAE, convRgbArchitecture, saveCheckpoint } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { checkSuite, initSuite, renderImageSet, withGoldensLock, writeGolden } from '@cvae/evaluation';
import type { MetricRow, RunInfo } from '@cvae/formats';
import { decodePng, encodePng } from '@cvae/images';
import { TrainingProgressSchema, readJsonFileIfExists } from '@cvae/formats';
import { finished, startCvae, trainArgs } from './cli';
import {
  CRASHED_RUN, EPOCHS, FAILING_GOLDEN, GOLDEN_THRESHOLDS, RGB_RUN, RUN_BACKEND_REASON, RUN_NAME, TRAINED, TRAINED_EPOCHS, TRAINED_TEST_IMAGES, workspacePaths,
} from './workspace';

/** Gate images of the fixture suite: enough for paired statistics, few enough for the cpu backend. */
const GATE_IMAGES = 200;

const SCATTER_TEST_IMAGES = 500;

/**
 * Builds a realistic workspace with the real model and evaluation code: a run with a latent-2
 * checkpoint, metrics and per-epoch sample grids; a golden suite made from that checkpoint by
 * `initSuite` (what `cvae golden init` runs); then one golden replaced by a corrupted picture, so
 * the suite check writes a report (with its static index.html) holding a failing comparison to accept.
 */
export default async function globalSetup(): Promise<void> {
  const paths = workspacePaths();
  await fs.rm(paths.root, { recursive: true, force: true });
  await initBackend('cpu');
  const model = CVAE.create({ latentDim: 2, seed: 1 });
  try {
    sharpenDecoderOutput(model);
    await writeRun(paths.runDir, model);
    await saveCheckpoint(paths.checkpointDir, model, { epoch: EPOCHS, step: EPOCHS * 100, seeds: { init: 1, shuffle: 2 }, backend: tf.getBackend() });
  } finally {
    model.dispose();
  }
  await writeRgbRun();
  await initSuite({ suiteDir: paths.suiteDir, checkpoint: paths.checkpointDir, backend: 'cpu', gateImages: GATE_IMAGES, images: SUITE_IMAGES, measureNoise: false, qualitySamples: GATE_IMAGES });
  await loosenTolerances(paths.suiteDir);
  await corruptGolden(paths.suiteDir, FAILING_GOLDEN);
  await checkSuite({ suiteDir: paths.suiteDir, checkpoint: paths.checkpointDir, reportDir: paths.reportDir, backend: 'cpu' });
  await trainRuns();
}

/** Small image sets of the fixture's untrained latent-2 model. */
const SUITE_IMAGES = {
  [FAILING_GOLDEN]: { kind: 'prior' as const, seed: 7, grid: 4 },
  reconstructions: { kind: 'recon' as const, seed: 0, grid: 4 },
  'latent-manifold': { kind: 'manifold' as const, seed: 0, grid: 5 },
  'latent-scatter': { kind: 'scatter' as const, seed: 0, grid: 1, count: 200 },
};

/**
 * Without measured noise, init derives the strictest tolerance (any change over 1 gray level fails);
 * the browser decodes with tfjs's own cpu kernels, so the fixture suite allows what the explorer test
 * compares with (GOLDEN_THRESHOLDS) — suite.json belongs to people, and this is a person's edit.
 */
async function loosenTolerances(suiteDir: string): Promise<void> {
  const file = path.join(suiteDir, 'suite.json');
  const suite = JSON.parse(await fs.readFile(file, 'utf8'));
  for (const image of Object.values(suite.images) as { tolerance: object }[]) image.tolerance = { ...GOLDEN_THRESHOLDS, derivedFrom: 'viewer e2e fixture' };
  await fs.writeFile(file, JSON.stringify(suite, null, 2));
}

/**
 * Real runs from the real CLI, side by side (one thread each): latent 8 and latent 2 on the same 2,000
 * training and 500 test images, so the viewer can compare them image by image and explore a latent-8
 * space; then a run killed with -9 in its first epoch.
 */
async function trainRuns(): Promise<void> {
  const common = { epochs: TRAINED_EPOCHS, limit: 2000, 'test-limit': TRAINED_TEST_IMAGES };
  await Promise.all(Object.values(TRAINED).map(({ name, latentDim }) => finished(startCvae(trainArgs(name, { ...common, 'latent-dim': latentDim })))));
  await trainThenKill(CRASHED_RUN);
}

async function trainThenKill(name: string): Promise<void> {
  const child = startCvae(trainArgs(name, { epochs: 20, limit: 20000, 'test-limit': TRAINED_TEST_IMAGES }));
  const progressFile = path.join(workspacePaths().runsDir, name, 'progress.json');
  const deadline = Date.now() + 60_000;
  // Killed once it is really training: progress.json shows a batch done.
  while (((await readJsonFileIfExists(TrainingProgressSchema, progressFile).catch(() => undefined))?.batch ?? 0) < 1) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${name} did not start training:\n${child.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/**
 * The RGB run: an image folder of 16×16 colour PNGs (train/ and test/, two classes), and a checkpoint of
 * convRgbArchitecture(16) whose decoder draws colours (colourDecoderOutput), with a prior sample grid.
 */
async function writeRgbRun(): Promise<void> {
  const { rgbRunDir, rgbDataDir } = workspacePaths();
  await writeColourFolder(rgbDataDir);
  const architecture = convRgbArchitecture(RGB_RUN.side, RGB_RUN.latentDim);
  const model = CVAE.create({ architecture, seed: 5 });
  try {
    colourDecoderOutput(model);
    await saveCheckpoint(path.join(rgbRunDir, 'checkpoints', 'last'), model, { epoch: 1, step: 3, seeds: { init: 5 }, backend: tf.getBackend() });
    await fs.mkdir(path.join(rgbRunDir, 'samples'), { recursive: true });
    await fs.writeFile(path.join(rgbRunDir, 'samples', 'epoch-0001.png'), encodePng(renderImageSet(model, { kind: 'prior', seed: 1, grid: 4 })));
  } finally {
    model.dispose();
  }
  const config = { epochs: 1, batchSize: 8, latentDim: RGB_RUN.latentDim, seed: 5, learningRate: 1e-3, backend: 'cpu', kl: 'analytic', dataDir: rgbDataDir, architecture, model: 'conv16-rgb' } satisfies RunInfo['config'];
  const run = {
    name: RGB_RUN.name, status: 'completed', config,
    backend: { name: 'cpu', preference: 'cpu', reason: RUN_BACKEND_REASON },
    versions: { node: process.version, tfjs: tf.version_core, cvae: '0.1.0' },
    startedAt: '2026-01-01T11:00:00.000Z', endedAt: '2026-01-01T11:00:05.000Z',
    sessions: [{ startedAt: '2026-01-01T11:00:00.000Z', endedAt: '2026-01-01T11:00:05.000Z', backend: 'cpu', workers: 1 }],
    timings: { epochs: [], totalSeconds: 5 },
  } satisfies RunInfo;
  await fs.writeFile(path.join(rgbRunDir, 'run.json'), JSON.stringify(run, null, 2));
}

/** `DIR/{train,test}/{reds,blues}/N.png`: gradients whose colours differ per image and class (RGB_RUN.testImages test images). */
async function writeColourFolder(dir: string): Promise<void> {
  const side = RGB_RUN.side;
  const perClass = { train: 4, test: RGB_RUN.testImages / 2 };
  for (const [c, name] of ['reds', 'blues'].entries()) {
    for (const split of ['train', 'test'] as const) {
      await fs.mkdir(path.join(dir, split, name), { recursive: true });
      for (let i = 0; i < perClass[split]; i++) {
        const data = new Uint8Array(side * side * 3);
        for (let y = 0; y < side; y++) {
          for (let x = 0; x < side; x++) data.set([(x * 16 + i * 23 + (1 - c) * 128) % 256, (y * 16 + i * 41) % 256, ((x + y) * 8 + c * 128) % 256], (y * side + x) * 3);
        }
        await fs.writeFile(path.join(dir, split, name, `${i}.png`), encodePng({ width: side, height: side, channels: 3, data }));
      }
    }
  }
}

/**
 * An untrained decoder's means are ≈ 0 (mid grey in every channel). Biases per channel make z = 0 a colour
 * (red above green), and a larger output kernel makes other points draw other colours, like a trained model's.
 */
function colourDecoderOutput(model: CVAE): void {
  const GAIN = 30;
  const MEAN_BIASES = [0.3, -0.3, 0];
  const weights = model.getWeightsSnapshot();
  const layer = (suffix: string) => {
    const found = weights.find((w) => w.name.startsWith('decoder_output') && w.name.endsWith(suffix));
    if (!found) throw new Error(`no decoder_output ${suffix} among ${weights.map((w) => w.name).join(', ')}`);
    return found;
  };
  layer('kernel').values = layer('kernel').values.map((v) => v * GAIN);
  layer('bias').values = layer('bias').values.map((v, channel) => (channel < MEAN_BIASES.length ? MEAN_BIASES[channel] : v));
  model.setWeights(weights);
}

/**
 * A freshly initialised decoder draws near-uniform grey (logits ≈ 0), which would make pixel
 * comparisons nearly vacuous. Scaling the last layer's kernel spreads the logits so decoded images
 * use the whole grey range and differ visibly between latent points, like a trained model's.
 */
function sharpenDecoderOutput(model: CVAE): void {
  const LOGIT_GAIN = 60;
  const weights = model.getWeightsSnapshot();
  const kernel = weights.find((w) => w.name.startsWith('decoder_logits') && w.name.endsWith('kernel'));
  if (!kernel) throw new Error(`no decoder_logits kernel among ${weights.map((w) => w.name).join(', ')}`);
  kernel.values = kernel.values.map((v) => v * LOGIT_GAIN);
  model.setWeights(weights);
}

async function writeRun(runDir: string, model: CVAE): Promise<void> {
  await fs.mkdir(path.join(runDir, 'samples'), { recursive: true });
  // The shape training's RunInfo writes, so the runs page is tested against real run.json fields.
  const config = { epochs: EPOCHS, batchSize: 32, latentDim: 2, seed: 1, learningRate: 1e-4, backend: 'cpu', kl: 'analytic', limit: 3000 } satisfies RunInfo['config'];
  const run = {
    name: RUN_NAME,
    status: 'completed',
    config,
    backend: { name: 'cpu', preference: 'cpu', reason: RUN_BACKEND_REASON },
    versions: { node: process.version, tfjs: tf.version_core, cvae: '0.1.0' },
    startedAt: '2026-01-01T10:00:00.000Z',
    endedAt: '2026-01-01T10:03:00.000Z',
    sessions: [{ startedAt: '2026-01-01T10:00:00.000Z', endedAt: '2026-01-01T10:03:00.000Z', backend: 'cpu', workers: 2 }],
    timings: { epochs: [], totalSeconds: 180 },
  } satisfies RunInfo;
  await fs.writeFile(path.join(runDir, 'run.json'), JSON.stringify(run, null, 2));
  const metrics = Array.from({ length: EPOCHS }, (_, i) => ({
    epoch: i + 1,
    step: (i + 1) * 100,
    trainLoss: 190 - 20 * i,
    testElbo: -185 + 18 * i,
    testElboStdErr: 0.9,
    reconMse: 0.09 - 0.015 * i,
    kl: 3 + 0.8 * i,
    epochSeconds: 60,
    imagesPerSecond: 1000,
    backend: 'cpu',
  }) satisfies MetricRow);
  await fs.writeFile(path.join(runDir, 'metrics.jsonl'), metrics.map((m) => JSON.stringify(m)).join('\n') + '\n');
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    // A different prior draw per epoch stands in for the weights changing during training.
    const png = encodePng(renderImageSet(model, { kind: 'prior', seed: epoch, grid: 4 }));
    await fs.writeFile(path.join(runDir, 'samples', `epoch-${String(epoch).padStart(4, '0')}.png`), png);
  }
  // The renderer training uses (drawScatter over the posterior means), on the first test images: enough points to see, quick to encode.
  const scatter = renderImageSet(model, { kind: 'scatter', seed: 0, grid: 1, count: SCATTER_TEST_IMAGES });
  await fs.writeFile(path.join(runDir, 'samples', 'latent-scatter.png'), encodePng(scatter));
}

/**
 * Pushes every pixel of the left half to the far end of the grey range (an untrained decoder draws
 * near-uniform grey, so plain inversion would stay within the threshold): a clearly visible
 * failure that keeps the size, so the report gets a diff image.
 */
async function corruptGolden(suiteDir: string, name: string): Promise<void> {
  const golden = decodePng(await fs.readFile(path.join(suiteDir, `${name}.png`)));
  const grey = new Uint8Array(golden.width * golden.height);
  for (let i = 0; i < grey.length; i++) {
    const value = golden.rgba[i * 4];
    grey[i] = i % golden.width < golden.width / 2 ? (value < 128 ? 255 : 0) : value;
  }
  const png = encodePng({ width: golden.width, height: golden.height, channels: 1, data: grey });
  // Through the one write path, so goldens.json vouches for it: the check sees a pixel change, not a tampered file.
  const index = JSON.parse(await fs.readFile(path.join(suiteDir, 'goldens.json'), 'utf8'));
  const { kind, seed, grid, checkpoint, backend } = index[name];
  await withGoldensLock(suiteDir, 'viewer e2e fixture', () => writeGolden(suiteDir, name, png, golden, { kind, seed, grid, checkpoint, backend }, 'update'));
}
