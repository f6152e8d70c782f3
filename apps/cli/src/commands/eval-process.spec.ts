/**
 * `cvae eval` of a model trained on a dataset the committed classifier was not made on (issue 23), as
 * real processes in a workspace of their own: the test writes that dataset itself (MNIST mirrored,
 * 640 + 200 images as IDX), trains a tiny model on it, and evaluates it. Every metric is printed and
 * the sample quality is skipped in one line saying how to make a classifier; an explicit --classifier
 * of another dataset is a usage error; once that classifier exists, eval finds and uses it.
 * Needs the built CLI (`nx test cli` builds it first).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { WORKSPACE_ROOT, assertCliBuilt, killAll, runCvae } from '../test-utils/cli-process';
import { writeMirroredMnist } from '../test-utils/mirrored-mnist';

jest.setTimeout(180_000);

let workspace: string;
let dataDir: string;
let checkpoint: string;

const cvae = (...args: string[]) => runCvae(args, { cwd: workspace, env: { CVAE_WORKSPACE: workspace, CVAE_BACKEND: 'wasm' }, timeoutMs: 120_000 });

beforeAll(async () => {
  assertCliBuilt();
  workspace = mkdtempSync(path.join(tmpdir(), 'cvae-eval-other-data-'));
  // The committed MNIST classifier, where eval looks for one by default.
  cpSync(path.join(WORKSPACE_ROOT, 'classifiers', 'mnist'), path.join(workspace, 'classifiers', 'mnist'), { recursive: true });
  dataDir = path.join(workspace, 'data', 'mirrored-mnist');
  mkdirSync(dataDir, { recursive: true });
  writeMirroredMnist({ train: 640, test: 200 }, dataDir);
  const train = await cvae('train', '--data-dir', dataDir, '--limit', '640', '--batch-size', '32', '--epochs', '1', '--seed', '1', '--workers', '1', '--out', path.join(workspace, 'runs'), '--name', 'mirrored');
  expect(train.code).toBe(0);
  checkpoint = path.join(workspace, 'runs', 'mirrored', 'checkpoints', 'last');
}, 180_000);
afterEach(killAll);
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const SKIPPED = () => `sample quality: skipped — no classifier of this dataset (make one: cvae classifier train --data-dir ${dataDir})\n`;

describe('cvae eval on a dataset without a classifier', () => {
  it('prints every metric, then one line saying the sample quality was skipped and how to make a classifier; exit 0', async () => {
    const result = await cvae('eval', '--checkpoint', checkpoint, '--workers', '1');
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('cvae:') });
    for (const metric of ['ELBO (Monte Carlo)', 'KL(q(z|x) ‖ N(0,I))', 'reconstruction MSE', 'reconstruction cross-entropy']) expect(result.stdout).toContain(metric);
    expect(result.stdout).toContain(`dataset: ${dataDir}`);
    expect(result.stdout.endsWith(`\n${SKIPPED()}`)).toBe(true);
    expect(result.stdout).not.toContain('FID');
  });

  it('--json: one object with every metric on stdout, the skip line on stderr', async () => {
    const result = await cvae('eval', '--checkpoint', checkpoint, '--workers', '1', '--json');
    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed).toMatchObject({ images: 200, elbo: { mean: expect.any(Number) }, reconstructionMse: { mean: expect.any(Number) } });
    expect(parsed.sampleQuality).toBeUndefined();
    expect(result.stderr).toContain(SKIPPED());
  });

  it('an explicit --classifier made on another dataset is a usage error: one line, exit 2', async () => {
    const result = await cvae('eval', '--checkpoint', checkpoint, '--workers', '1', '--classifier', path.join(workspace, 'classifiers', 'mnist'));
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(`cvae: classifier classifiers/mnist: manifest.json was made on another dataset: train-images, train-labels, test-images, test-labels of ${dataDir} differ (sha256)\n`);
  });

  it('once `cvae classifier train --data-dir` has made one (classifiers/<data-dir name>), eval measures the sample quality with it', async () => {
    const trained = await cvae('classifier', 'train', '--data-dir', dataDir, '--epochs', '1', '--limit', '640', '--test-limit', '200', '--workers', '1');
    expect(trained.code).toBe(0);
    const result = await cvae('eval', '--checkpoint', checkpoint, '--workers', '1', '--limit', '200', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).sampleQuality).toMatchObject({ classifier: { path: 'classifiers/mirrored-mnist' }, samples: { images: 200 } });
    expect(result.stderr).not.toContain('skipped');
  });
});
