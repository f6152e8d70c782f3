import { mkdtempSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadSplit } from '@cvae/dataset';
import { CVAE, loadCheckpoint, saveCheckpoint } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { Replicas } from '@cvae/replicas';
import { evaluateTestSet } from '@cvae/training';
import { cliRunner } from '../test-utils/run-cli';
import { evalCommand } from './eval';
import { goldenCheckCommand, goldenUpdateCommand } from './golden';
import { sampleCommand } from './sample';

const COMMANDS = [evalCommand, sampleCommand, goldenUpdateCommand, goldenCheckCommand];

const run = cliRunner(COMMANDS);

const missing = path.join(mkdtempSync(path.join(os.tmpdir(), 'cvae-cli-')), 'no-such-checkpoint');

describe('cvae eval / sample / golden: bad input', () => {
  test.each([
    [['eval', '--checkpoint', missing], `cvae: checkpoint directory ${missing} does not exist\n`],
    [['eval', '--checkpoint', missing, '--limit', 'ten'], "cvae: --limit must be an integer in [1, 10000], got 'ten'\n"],
    [['eval', '--limit', '0'], "cvae: --limit must be an integer in [1, 10000], got '0'\n"],
    [['eval', '--iw-samples', '-1'], "cvae: --iw-samples must be an integer in [0, 10000], got '-1'\n"],
    [['eval', '--backend', 'gpu'], "cvae: --backend must be one of auto, tfjs-node, wasm, cpu, got 'gpu'\n"],
    [['eval', '--workers', '0'], "cvae: --workers must be an integer in [1, 64], got '0'\n"],
    [['sample', '--checkpoint', missing, '--kind', 'prior', '--seed', '1', '--out', 'a.png'], `cvae: checkpoint directory ${missing} does not exist\n`],
    [['sample', '--checkpoint', missing, '--kind', 'faces', '--seed', '1', '--out', 'a.png'], "cvae: --kind must be one of prior, recon, manifold, scatter, got 'faces'\n"],
    [['sample', '--checkpoint', missing, '--kind', 'prior', '--seed', 'abc', '--out', 'a.png'], "cvae: --seed must be an integer in [0, 4294967295], got 'abc'\n"],
    [['sample', '--checkpoint', missing, '--kind', 'prior', '--seed', '1', '--grid', '0', '--out', 'a.png'], "cvae: --grid must be an integer in [1, 64], got '0'\n"],
    [['sample', '--checkpoint', missing, '--kind', 'prior', '--seed', '1', '--out', 'a.jpg'], "cvae: --out must name a .png file, got 'a.jpg'\n"],
    [['sample', '--kind', 'prior', '--seed', '1', '--out', 'a.png'], 'cvae: --checkpoint is required\n'],
    [['sample', '--checkpoint', missing, '--kind', 'prior', '--out', 'a.png'], 'cvae: --seed is required\n'],
    [['golden', 'check', '--checkpoint', missing], `cvae: checkpoint directory ${missing} does not exist\n`],
    [['golden', 'update', 'prior', '--checkpoint', missing], `cvae: checkpoint directory ${missing} does not exist\n`],
    [['golden', 'frobnicate'], "cvae: unknown command 'golden frobnicate' (try: update, check)\n"],
  ])('%j → exit 2 with one line', async (argv, message) => {
    const result = await run(...argv);
    expect(result).toEqual({ code: 2, stdout: '', stderr: message });
  });

  test('a directory that is not a checkpoint fails with one line naming the missing manifest', async () => {
    const notACheckpoint = mkdtempSync(path.join(os.tmpdir(), 'cvae-cli-empty-'));
    const result = await run('sample', '--checkpoint', notACheckpoint, '--kind', 'prior', '--seed', '1', '--out', path.join(notACheckpoint, 'a.png'), '--backend', 'cpu');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`cvae: checkpoint ${notACheckpoint}: manifest.json is missing (not a checkpoint directory, or its save never completed)\n`);
  });
});

describe('cvae eval / sample on a real (untrained) checkpoint', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cvae-cli-ckpt-'));
  const checkpoint = path.join(dir, 'ckpt');

  beforeAll(async () => {
    const choice = await initBackend();
    const model = CVAE.create({ latentDim: 2, seed: 1 });
    await saveCheckpoint(checkpoint, model, { epoch: 0, step: 0, seeds: { init: 1 }, backend: choice.name });
    model.dispose();
  }, 60_000);

  test('eval --json prints one object with checkpoint, backend and every metric; progress goes to stderr', async () => {
    const result = await run('eval', '--checkpoint', checkpoint, '--limit', '20', '--iw-samples', '2', '--json');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({ checkpoint, images: 20, seed: 0, iwae: { samples: 2 } });
    expect(typeof parsed.backend).toBe('string');
    for (const key of ['elbo', 'kl', 'reconstructionMse', 'reconstructionCrossEntropy', 'iwae']) expect(Number.isFinite(parsed[key].mean)).toBe(true);
    // Bits per dimension: −bound / (784 · ln 2), for the ELBO and the IWAE bound alike.
    expect(parsed.bitsPerDim.dims).toBe(784);
    expect(parsed.bitsPerDim.elbo.mean).toBeCloseTo(-parsed.elbo.mean / (784 * Math.LN2), 10);
    expect(parsed.bitsPerDim.iwae.mean).toBeCloseTo(-parsed.iwae.mean / (784 * Math.LN2), 10);
    expect(parsed.model).toEqual({ architecture: expect.stringMatching(/^28×28×1 → c32\/2 c64\/2 f d4 → z2 → /), likelihood: 'bernoulli' });
    expect(result.stderr).toMatch(/eval elbo: 20\/20 images \(100%\), ETA 0s/);
  }, 60_000);

  test('eval --workers 2 reports what --workers 1 does, which is exactly what training reports per epoch for that checkpoint', async () => {
    // 1,000 images = two chunks of 500, so the second thread really computes one of them.
    const [one, two] = [await run('eval', '--checkpoint', checkpoint, '--limit', '1000', '--workers', '1', '--json'), await run('eval', '--checkpoint', checkpoint, '--limit', '1000', '--workers', '2', '--json')];
    const [single, parallel] = [JSON.parse(one.stdout), JSON.parse(two.stdout)];
    expect([single.workers, parallel.workers]).toEqual([1, 2]);
    for (const key of ['elbo', 'kl', 'reconstructionMse', 'reconstructionCrossEntropy']) {
      expect(parallel[key].mean).toBeCloseTo(single[key].mean, 6);
      expect(parallel[key].standardError).toBeCloseTo(single[key].standardError, 6);
    }
    const { model } = await loadCheckpoint(checkpoint);
    const perEpoch = await evaluateTestSet(Replicas.create(model, { threads: 1 }), loadSplit('test', { limit: 1000 }));
    model.dispose();
    expect(perEpoch).toEqual({ elbo: single.elbo.mean, elboStdErr: single.elbo.standardError, reconMse: single.reconstructionMse.mean, kl: single.kl.mean, count: 1000 });
  }, 120_000);

  describe('CVAE_BACKEND', () => {
    const saved = process.env.CVAE_BACKEND;
    afterEach(() => {
      if (saved === undefined) delete process.env.CVAE_BACKEND;
      else process.env.CVAE_BACKEND = saved;
    });

    test('is the backend when --backend is absent, and --backend overrides it', async () => {
      process.env.CVAE_BACKEND = 'cpu';
      const fromEnv = await run('eval', '--checkpoint', checkpoint, '--limit', '10', '--workers', '1', '--json');
      const fromFlag = await run('eval', '--checkpoint', checkpoint, '--limit', '10', '--workers', '1', '--json', '--backend', 'wasm');
      expect([fromEnv.code, fromFlag.code]).toEqual([0, 0]);
      expect([JSON.parse(fromEnv.stdout).backend, JSON.parse(fromFlag.stdout).backend]).toEqual(['cpu', 'wasm']);
    }, 60_000);
  });

  test('eval prints a table for people', async () => {
    const result = await run('eval', '--checkpoint', checkpoint, '--limit', '10');
    expect(result.stdout).toMatch(/ELBO \(Monte Carlo\)\s+-\d+\.\d{4}/);
    expect(result.stdout).toContain('reconstruction MSE');
    expect(result.stdout).toMatch(/−ELBO\s+\d+\.\d{4}\s+\d+\.\d{4}\s+bits\/dim \(784 dims\)/);
  }, 60_000);

  test('sample writes the PNG it names', async () => {
    const out = path.join(dir, 'prior.png');
    const result = await run('sample', '--checkpoint', checkpoint, '--kind', 'prior', '--seed', '3', '--grid', '4', '--out', out);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`wrote ${out} (prior, seed 3, grid 4, 115×115`);
  }, 60_000);
});
