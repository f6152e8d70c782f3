import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeGrayPng, decodePng } from '@cvae/images';
import { CVAE, loadCheckpoint } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { loadSplit } from '@cvae/dataset';
import { TrainingProgressSchema, readJsonFile, readTestMetricsIfExists } from '@cvae/formats';
import { Replicas } from '@cvae/replicas';
import { runSeeds } from './config';
import { evaluateTestSet } from './evaluate';
import { EpochMetrics, TrainingEvent } from './progress';
import { train } from './train';
import { TEST_BACKEND, useTempDir } from './test-utils/tmp-dir';

describe('train (smoke: 3,000 images, 1 epoch)', () => {
  const tempDir = useTempDir('train');
  const config = { epochs: 1, limit: 3000, testLimit: 1000, seed: 7, backend: TEST_BACKEND };

  it('improves the test ELBO by a wide margin over the untrained model and writes the run directory', async () => {
    await initBackend(TEST_BACKEND);
    const untrained = CVAE.create({ latentDim: 2, seed: runSeeds.init(config.seed) });
    const before = await evaluateTestSet(Replicas.create(untrained, { threads: 1 }), loadSplit('test', { limit: config.testLimit }));
    untrained.dispose();

    const events: TrainingEvent[] = [];
    const result = await train(config, { outDir: tempDir(), name: 'smoke', reporter: (e) => events.push(e) });

    expect(result.status).toBe('completed');
    expect(result.step).toBe(Math.ceil(3000 / 32));
    const [metrics] = result.metrics;
    // Untrained: ≈ −543 nats (784·ln 2). These 94 steps at lr 1e-4 reach about −400 (measured +144 nats on wasm);
    // a gain of 100 nats is ~50 standard errors, so only a training loop that really learns passes.
    expect(before.elbo).toBeLessThan(-500);
    expect(metrics.testElbo - before.elbo).toBeGreaterThan(100);
    expect(metrics.testElboStdErr).toBeGreaterThan(0);
    expect(metrics.reconMse).toBeGreaterThan(0);
    expect(metrics.reconMse).toBeLessThan(0.25);
    expect(metrics.kl).toBeGreaterThan(0);
    expect(events.filter((e) => e.type === 'step')).toHaveLength(94);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['start', 'epoch-start', 'evaluating', 'epoch-end', 'done']));

    const runDir = path.join(tempDir(), 'smoke');
    const lines = readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as EpochMetrics);
    expect(lines).toEqual([metrics]);
    expect(Object.keys(lines[0]).sort()).toEqual(['backend', 'epoch', 'epochSeconds', 'imagesPerSecond', 'kl', 'reconMse', 'rssMb', 'step', 'testElbo', 'testElboStdErr', 'trainLoss'].sort());

    // The per-image test metrics behind the line's means (the viewer pairs runs on them), and the final progress.json.
    const perImage = await readTestMetricsIfExists(runDir);
    expect(perImage?.header).toMatchObject({ epoch: 1, step: 94, count: 1000, columns: ['elbo', 'kl', 'mse'], eps: { seed: 0, label: 'elbo-eps', latentDim: 2 } });
    const mean = (values: Float32Array | undefined) => (values ?? new Float32Array()).reduce((sum, v) => sum + v, 0) / 1000;
    expect(mean(perImage?.values.elbo)).toBeCloseTo(metrics.testElbo, 3);
    expect(mean(perImage?.values.mse)).toBeCloseTo(metrics.reconMse, 5);
    expect(await readJsonFile(TrainingProgressSchema, path.join(runDir, 'progress.json'))).toMatchObject({ phase: 'ended', epoch: 1, epochs: 1, batch: 94, batches: 94, testImages: 1000 });
    expect(events.filter((e) => e.type === 'eval-progress').at(-1)).toEqual({ type: 'eval-progress', epoch: 1, done: 1000, count: 1000 });

    const grid = decodeGrayPng(readFileSync(path.join(runDir, 'samples', 'epoch-0001.png')));
    expect([grid.width, grid.height]).toEqual([4 * 28 + 3, 4 * 28 + 3]);
    expect(new Set(grid.data).size).toBeGreaterThan(10); // decoded digits, not a blank image
    expect(readFileSync(path.join(runDir, 'samples', 'progress.gif')).subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expectLatentScatterPng(readFileSync(path.join(runDir, 'samples', 'latent-scatter.png')));

    const run = JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    expect(run).toMatchObject({ status: 'completed', config: { epochs: 1, batchSize: 32, latentDim: 2, seed: 7, limit: 3000 }, versions: { tfjs: tf.version_core } });
    expect(run.backend.reason).toEqual(expect.any(String));

    for (const which of ['last', 'best']) {
      const { model, manifest } = await loadCheckpoint(path.join(runDir, 'checkpoints', which));
      expect([manifest.epoch, manifest.step]).toEqual([1, 94]);
      const reloaded = await evaluateTestSet(Replicas.create(model, { threads: 1 }), loadSplit('test', { limit: config.testLimit }));
      expect(reloaded.elbo).toBeCloseTo(metrics.testElbo, 4);
      model.dispose();
    }
    expect(existsSync(path.join(runDir, 'checkpoints', 'last', 'optimizer', 'adam.bin'))).toBe(true);
  }, 180_000);

  /** drawScatter's default 480×480 canvas, written as an RGB PNG (colour type 2 in the IHDR chunk). */
  function expectLatentScatterPng(bytes: Buffer): void {
    const PNG_COLOR_TYPE_OFFSET = 25;
    expect(bytes[PNG_COLOR_TYPE_OFFSET]).toBe(2);
    const scatter = decodePng(bytes);
    expect([scatter.width, scatter.height]).toEqual([480, 480]);
    const colours = new Set<number>();
    for (let i = 0; i < scatter.rgba.length; i += 4) colours.add((scatter.rgba[i] << 16) | (scatter.rgba[i + 1] << 8) | scatter.rgba[i + 2]);
    expect(colours.size).toBeGreaterThanOrEqual(12); // white, black and the ten digit colours at least
  }

  it('refuses to overwrite an existing run directory', async () => {
    await expect(train(config, { outDir: tempDir(), name: 'smoke' })).rejects.toThrow(/already exists/);
  });
});
