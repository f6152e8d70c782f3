/**
 * `cvae compare --baseline CK --candidate CK` as real processes: the reference against a copy of itself
 * (every Δ exactly 0: the same images, the same eps), and against a 5%-perturbed decoder (worse ELBO,
 * its means those `cvae eval` reports for each checkpoint with the same seed); bad flags are one line,
 * exit 2. Needs the built CLI (`nx test cli` builds it first).
 */
import { cpSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { WORKSPACE_ROOT, assertCliBuilt, killAll, runCvae } from '../test-utils/cli-process';

jest.setTimeout(120_000);

let scratch: string;
const REFERENCE = 'runs/reference/checkpoints/last';
const COPY = 'runs/copy/checkpoints/last';
const PERTURBED = 'runs/perturbed/checkpoints/last';
const cvae = (...args: string[]) => runCvae(args, { cwd: scratch, env: { CVAE_WORKSPACE: scratch, CVAE_BACKEND: 'wasm' } });

interface Compared {
  images: number;
  pairing: string;
  metrics: { metric: string; baseline: number; candidate: number; delta: number; standardError: number; unpairedStandardError: number; verdict: string }[];
}

async function compare(candidate: string, images: number): Promise<Compared> {
  const run = await cvae('compare', '--baseline', REFERENCE, '--candidate', candidate, '--images', String(images), '--workers', '1', '--json');
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('cvae:') });
  return JSON.parse(run.stdout) as Compared;
}

beforeAll(async () => {
  assertCliBuilt();
  scratch = mkdtempSync(path.join(tmpdir(), 'cvae-compare-'));
  cpSync(path.join(WORKSPACE_ROOT, REFERENCE), path.join(scratch, REFERENCE), { recursive: true });
  cpSync(path.join(WORKSPACE_ROOT, REFERENCE), path.join(scratch, COPY), { recursive: true });
  expect((await cvae('perturb', '--checkpoint', REFERENCE, '--out', PERTURBED, '--scale', '0.05')).code).toBe(0);
});
afterEach(killAll);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('cvae compare', () => {
  it('a checkpoint against a copy of itself: every Δ is exactly 0 and unchanged, though each mean has its spread', async () => {
    const compared = await compare(COPY, 200);
    expect({ images: compared.images, pairing: compared.pairing }).toEqual({ images: 200, pairing: 'eps' });
    expect(compared.metrics.map((m) => [m.metric, m.delta, m.standardError, m.verdict])).toEqual(
      ['elbo', 'kl', 'reconstructionMse', 'reconstructionCrossEntropy'].map((metric) => [metric, 0, 0, 'unchanged']),
    );
    for (const m of compared.metrics) expect(m.unpairedStandardError).toBeGreaterThan(0);
  });

  it('a perturbed decoder: ELBO worse, paired SE far below the unpaired one, the means cvae eval gives each with the same seed', async () => {
    const compared = await compare(PERTURBED, 1000);
    const [elbo] = compared.metrics;
    expect(elbo).toMatchObject({ metric: 'elbo', verdict: 'worse' });
    expect(elbo.delta).toBeCloseTo(elbo.candidate - elbo.baseline, 6);
    expect(elbo.standardError).toBeLessThan(elbo.unpairedStandardError / 5);
    for (const [checkpoint, side] of [[REFERENCE, 'baseline'], [PERTURBED, 'candidate']] as const) {
      const evaluated = await cvae('eval', '--checkpoint', checkpoint, '--limit', '1000', '--seed', '0', '--quality-samples', '0', '--workers', '1', '--json');
      expect(evaluated.code).toBe(0);
      expect(elbo[side]).toBeCloseTo((JSON.parse(evaluated.stdout) as { elbo: { mean: number } }).elbo.mean, 6);
    }
    const table = await cvae('compare', '--baseline', REFERENCE, '--candidate', PERTURBED, '--images', '1000', '--workers', '1');
    expect(table.stdout).toMatch(/^paired over 1,000 test images, on the same eps draws \(seed 0\)$/m);
    expect(table.stdout).toMatch(/^ELBO +-154\.88 +-156\.\d\d +-1\.\d\d ± 0\.\d\d .* worse$/m);
  });

  it('a missing flag or checkpoint is one line, exit 2', async () => {
    expect(await cvae('compare', '--baseline', REFERENCE)).toMatchObject({ code: 2, stdout: '', stderr: 'cvae: --candidate is required\n' });
    expect(await cvae('compare', '--baseline', REFERENCE, '--candidate', 'runs/none')).toMatchObject({ code: 2, stdout: '', stderr: 'cvae: checkpoint directory runs/none does not exist\n' });
    expect(await cvae('compare', '--baseline', REFERENCE, '--candidate', COPY, '--images', '1')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^cvae: --images .*\n$/) });
  });
});
