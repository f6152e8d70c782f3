import { readFileSync } from 'fs';
import * as path from 'path';
import { decodeImagePng } from '@cvae/images';
import { Architecture, bitsPerDim, loadCheckpoint, mlpArchitecture, tutorialArchitecture } from '@cvae/model';
import { RunInfoSchema, readJsonFile } from '@cvae/formats';
import { resumeTraining, train } from './train';
import { TEST_BACKEND, useTempDir } from './test-utils/tmp-dir';

/** The tutorial's network scoring 8-bit levels: a mean and a log-scale per pixel. */
function logisticTutorial(): Architecture {
  const seed = tutorialArchitecture(2);
  const decoder = seed.decoder.map((l) => (l.name === 'decoder_logits' && l.kind === 'conv2dTranspose' ? { ...l, filters: 2 } : l));
  return { ...seed, decoder, likelihood: { kind: 'discretized-logistic' } };
}

describe('training any architecture', () => {
  const tempDir = useTempDir('architectures');
  const small = { epochs: 1, limit: 640, testLimit: 200, seed: 3, backend: TEST_BACKEND };

  it('trains the MLP preset with β, records both in run.json and the checkpoint, and resumes it', async () => {
    const architecture = mlpArchitecture(2);
    const result = await train({ ...small, latentDim: 2, architecture, model: 'mlp', beta: 0.5 }, { outDir: tempDir(), name: 'mlp' });
    expect(result.status).toBe('completed');
    const runDir = path.join(tempDir(), 'mlp');
    const run = await readJsonFile(RunInfoSchema, path.join(runDir, 'run.json'));
    expect(run.config).toMatchObject({ model: 'mlp', beta: 0.5, architecture });
    const { model, manifest } = await loadCheckpoint(path.join(runDir, 'checkpoints', 'last'));
    expect(manifest.architecture).toEqual(architecture);
    model.dispose();
    const resumed = await resumeTraining(runDir, { epochs: 2 });
    expect(resumed.metrics.map((m) => m.epoch)).toEqual([1, 2]);
  }, 120_000);

  it('β weighs the KL term: β = 0 ends with a larger KL than β = 1 from the same start', async () => {
    const kl = async (beta: number) => (await train({ ...small, beta }, { outDir: tempDir(), name: `beta-${beta}` })).metrics[0].kl;
    expect(await kl(0)).toBeGreaterThan(1.5 * (await kl(1)));
  }, 120_000);

  it('trains an 8-bit grayscale model (discretized logistic) on MNIST levels: a bound in nats, far below 8 bits/dim', async () => {
    const result = await train({ ...small, latentDim: 2, architecture: logisticTutorial() }, { outDir: tempDir(), name: 'logistic' });
    const [metrics] = result.metrics;
    expect(Number.isFinite(metrics.testElbo)).toBe(true);
    // A uniform model costs 8 bits/dim; MNIST's mostly-black pixels are far cheaper once the means are learnt.
    const bits = bitsPerDim(-metrics.testElbo, 28 * 28);
    expect(bits).toBeLessThan(6);
    expect(bits).toBeGreaterThan(0);
    const grid = decodeImagePng(readFileSync(path.join(tempDir(), 'logistic', 'samples', 'epoch-0001.png')));
    expect([grid.width, grid.height, grid.channels]).toEqual([4 * 28 + 3, 4 * 28 + 3, 1]);
  }, 120_000);

  it('refuses a dataset of another shape in one line, before the run directory exists', async () => {
    const rgb = { ...mlpArchitecture(2), inputShape: [28, 28, 3] as [number, number, 3] };
    rgb.decoder = [...rgb.decoder.slice(0, 1), { kind: 'dense', name: 'decoder_logits_flat', units: 28 * 28 * 3, activation: 'linear' }, { kind: 'reshape', name: 'decoder_logits', targetShape: [28, 28, 3] }];
    await expect(train({ ...small, latentDim: 2, architecture: rgb }, { outDir: tempDir(), name: 'rgb' })).rejects.toThrow(
      /train-images-idx3-ubyte: IDX images are 28x28x1, but the target shape is 28x28x3 \(IDX images are not resized\)$/,
    );
    expect(() => readFileSync(path.join(tempDir(), 'rgb', 'run.json'))).toThrow();
  });
});
