import { appendFileSync, readFileSync } from 'fs';
import * as path from 'path';
import { loadCheckpoint, WeightSnapshot } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { EpochMetrics } from './progress';
import { readMetrics } from './run-files';
import { resumeTraining, train, TrainingError } from './train';
import { TEST_BACKEND, useTempDir } from './test-utils/tmp-dir';

/** 256 images at batch 32 = 8 steps per epoch. */
const CONFIG = { epochs: 2, limit: 256, testLimit: 200, seed: 11, backend: TEST_BACKEND };

async function lastWeights(runDir: string): Promise<{ weights: WeightSnapshot; epoch: number; step: number }> {
  const { model, manifest } = await loadCheckpoint(path.join(runDir, 'checkpoints', 'last'));
  const weights = model.getWeightsSnapshot();
  model.dispose();
  return { weights, epoch: manifest.epoch, step: manifest.step };
}

function expectIdentical(a: WeightSnapshot, b: WeightSnapshot): void {
  expect(a.map((w) => w.shape)).toEqual(b.map((w) => w.shape));
  a.forEach((w, i) => expect(Buffer.from(w.values.buffer).equals(Buffer.from(b[i].values.buffer))).toBe(true));
}

describe('resume', () => {
  const tempDir = useTempDir('resume');
  const runDir = (name: string) => path.join(tempDir(), name);
  let straight: { weights: WeightSnapshot; metrics: EpochMetrics[] };

  beforeAll(async () => {
    await initBackend(TEST_BACKEND);
    const result = await train(CONFIG, { outDir: tempDir(), name: 'straight' });
    straight = { weights: (await lastWeights(runDir('straight'))).weights, metrics: result.metrics };
  }, 120_000);

  it('2 epochs straight = 1 epoch + resume for 1 more, bit for bit', async () => {
    await train({ ...CONFIG, epochs: 1 }, { outDir: tempDir(), name: 'split' });
    const afterOne = await lastWeights(runDir('split'));
    expect([afterOne.epoch, afterOne.step]).toEqual([1, 8]);

    const result = await resumeTraining(runDir('split'), { epochs: 2 });
    expect(result).toMatchObject({ status: 'completed', epochsCompleted: 2, step: 16 });
    expectIdentical((await lastWeights(runDir('split'))).weights, straight.weights);
    expect(result.metrics.map((m) => m.testElbo)).toEqual(straight.metrics.map((m) => m.testElbo));
    const run = JSON.parse(readFileSync(path.join(runDir('split'), 'run.json'), 'utf8'));
    expect(run.sessions).toHaveLength(2);
    expect(run.config.epochs).toBe(2);
  }, 120_000);

  it.each([
    ['mid-epoch', 11, 1],
    ['after the last batch of an epoch, before its evaluation', 8, 0],
  ])('an interrupt %s saves the position; resuming ends with the same weights and metrics', async (_when, stopAfter, epochsDone) => {
    const name = `interrupted-${stopAfter}`;
    const controller = new AbortController();
    let steps = 0;
    const interrupted = await train(CONFIG, {
      outDir: tempDir(),
      name,
      signal: controller.signal,
      reporter: (e) => {
        if (e.type === 'step' && ++steps === stopAfter) controller.abort('SIGINT');
      },
    });
    expect(interrupted).toMatchObject({ status: 'interrupted', epochsCompleted: epochsDone, step: stopAfter });
    const saved = await lastWeights(runDir(name));
    expect([saved.epoch, saved.step]).toEqual([epochsDone, stopAfter]);

    const resumed = await resumeTraining(runDir(name));
    expect(resumed).toMatchObject({ status: 'completed', epochsCompleted: 2, step: 16 });
    expectIdentical((await lastWeights(runDir(name))).weights, straight.weights);
    // trainLoss of the split epoch is the mean over all its 8 batches, as if never interrupted.
    expect(resumed.metrics.map(({ trainLoss, testElbo }) => ({ trainLoss, testElbo }))).toEqual(
      straight.metrics.map(({ trainLoss, testElbo }) => ({ trainLoss, testElbo })),
    );
  }, 120_000);

  it('after a crash between logging and checkpointing, resume drops the orphaned metrics and torn lines', async () => {
    await train({ ...CONFIG, epochs: 1 }, { outDir: tempDir(), name: 'crashed' });
    const metricsFile = path.join(runDir('crashed'), 'metrics.jsonl');
    // What kill -9 can leave: epoch 2's line logged but its checkpoint never saved, then a half-written line.
    appendFileSync(metricsFile, `${JSON.stringify({ ...straight.metrics[1], testElbo: -1 })}\n{"epoch": 3, "ste`);
    const result = await resumeTraining(runDir('crashed'), { epochs: 2 });
    const lines = await readMetrics(metricsFile);
    expect(lines.map((m) => m.epoch)).toEqual([1, 2]);
    expect(lines[1].testElbo).toBe(straight.metrics[1].testElbo);
    expect(result.metrics).toEqual(lines);
  }, 120_000);

  it('a NaN loss stops the run naming epoch and step, and leaves the last good checkpoint loadable', async () => {
    const run = train(CONFIG, { outDir: tempDir(), name: 'nan', injectNanAtStep: 12 });
    await expect(run).rejects.toThrow(TrainingError);
    await expect(run).rejects.toThrow(/loss is NaN at epoch 2, step 12 \(batch 4\/8\).*checkpoints\/last \(epoch 1/);
    const last = await lastWeights(runDir('nan'));
    expect([last.epoch, last.step]).toEqual([1, 8]);
    expect(last.weights.every((w) => w.values.every(Number.isFinite))).toBe(true);
    const runJson = JSON.parse(readFileSync(path.join(runDir('nan'), 'run.json'), 'utf8'));
    expect(runJson.status).toBe('failed');
    expect(runJson.error).toMatch(/NaN at epoch 2, step 12/);
  }, 120_000);

  it('resuming a directory that is not a run fails with a one-line error', async () => {
    await expect(resumeTraining(runDir('missing'))).rejects.toThrow(/cannot resume .*missing: no run.json/);
  });
});
