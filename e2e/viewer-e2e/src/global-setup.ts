import { promises as fs } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { CVAE, saveCheckpoint } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { checkGoldensForModel, checkpointRef, renderImageSet, updateGoldensForModel, type GoldenConfig } from '@cvae/evaluation';
import type { MetricRow, RunInfo } from '@cvae/formats';
import { decodePng, encodePng } from '@cvae/images';
import { TrainingProgressSchema, readJsonFileIfExists } from '@cvae/formats';
import { finished, startCvae, trainArgs } from './cli';
import { CRASHED_RUN, EPOCHS, FAILING_GOLDEN, GOLDEN_THRESHOLDS, RUN_BACKEND_REASON, RUN_NAME, TRAINED, TRAINED_EPOCHS, TRAINED_TEST_IMAGES, workspacePaths } from './workspace';

const SCATTER_TEST_IMAGES = 500;

/**
 * Builds a realistic workspace with the real model and evaluation code: a run with a latent-2
 * checkpoint, metrics and per-epoch sample grids; goldens made from that checkpoint; then one
 * golden corrupted so the golden check writes a report with a failing comparison to accept.
 */
export default async function globalSetup(): Promise<void> {
  const paths = workspacePaths();
  await fs.rm(paths.root, { recursive: true, force: true });
  await initBackend('cpu');
  const model = CVAE.create({ latentDim: 2, seed: 1 });
  try {
    sharpenDecoderOutput(model);
    await writeRun(paths.runDir, model);
    const manifest = await saveCheckpoint(paths.checkpointDir, model, { epoch: EPOCHS, step: EPOCHS * 100, seeds: { init: 1, shuffle: 2 }, backend: tf.getBackend() });
    const source = { checkpoint: checkpointRef(paths.checkpointDir, manifest, paths.root), backend: tf.getBackend() };
    await writeGoldenConfig(paths.goldensDir);
    await updateGoldensForModel(model, source, { goldensDir: paths.goldensDir });
    await corruptGolden(path.join(paths.goldensDir, `${FAILING_GOLDEN}.png`));
    await checkGoldensForModel(model, source, { goldensDir: paths.goldensDir, reportDir: paths.reportDir });
  } finally {
    model.dispose();
  }
  await trainRuns();
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

async function writeGoldenConfig(goldensDir: string): Promise<void> {
  const config: GoldenConfig = {
    comment: 'viewer e2e fixture: small image sets of an untrained latent-2 model',
    defaults: GOLDEN_THRESHOLDS,
    images: {
      [FAILING_GOLDEN]: { kind: 'prior', seed: 7, grid: 4 },
      reconstructions: { kind: 'recon', seed: 0, grid: 4 },
      'latent-manifold': { kind: 'manifold', seed: 0, grid: 5 },
      'latent-scatter': { kind: 'scatter', seed: 0, grid: 1, count: 200 },
    },
  };
  await fs.mkdir(goldensDir, { recursive: true });
  await fs.writeFile(path.join(goldensDir, 'golden.config.json'), JSON.stringify(config, null, 2));
}

/**
 * Pushes every pixel of the left half to the far end of the grey range (an untrained decoder draws
 * near-uniform grey, so plain inversion would stay within the threshold): a clearly visible
 * failure that keeps the size, so the report gets a diff image.
 */
async function corruptGolden(file: string): Promise<void> {
  const golden = decodePng(await fs.readFile(file));
  const grey = new Uint8Array(golden.width * golden.height);
  for (let i = 0; i < grey.length; i++) {
    const value = golden.rgba[i * 4];
    grey[i] = i % golden.width < golden.width / 2 ? (value < 128 ? 255 : 0) : value;
  }
  await fs.writeFile(file, encodePng({ width: golden.width, height: golden.height, channels: 1, data: grey }));
}
