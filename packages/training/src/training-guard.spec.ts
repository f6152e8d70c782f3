/**
 * The training guard (see test-utils/guard.ts): the seeded 64-step run must reproduce its committed
 * loss trajectory and end metrics within the noise our compute paths make — and changing Adam's β₁,
 * dropping the KL term or shifting the batch order by one must fail it. jest's snapshot conventions
 * apply to the baseline: `-u` re-measures it (and the noise, on every compute path), a missing one is
 * written by default, and under `--ci` a missing baseline fails.
 */
import { spawn } from 'child_process';
import { existsSync } from 'fs';
import * as path from 'path';
import { GuardBaseline, GuardRun, GUARD_BASELINE_FILE, guardDeviations, readGuardBaseline, runGuard, writeGuardBaseline } from './test-utils/guard';

jest.setTimeout(900_000);

/** The other compute paths, each a process of its own (the conv.wasm build and XNNPACK are fixed per process). */
const OTHER_PATHS: { path: string; backend: 'wasm' | 'cpu'; env: Record<string, string> }[] = [
  { path: 'wasm, conv.wasm simd128', backend: 'wasm', env: { CVAE_WASM_FMA: '0' } },
  { path: 'wasm, xnnpack + im2col', backend: 'wasm', env: { CVAE_WASM_CONV: 'xnnpack' } },
  { path: 'cpu, im2col (JS)', backend: 'cpu', env: {} },
];

function runInChild(backend: string, env: Record<string, string>): Promise<GuardRun> {
  const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), path.join(__dirname, 'test-utils', 'guard-child.ts'), backend], {
    env: { ...process.env, ...env, TSX_TSCONFIG_PATH: path.resolve(__dirname, '..', '..', '..', 'tsconfig.base.json') },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as GuardRun) : reject(new Error(`guard run (${backend}, ${JSON.stringify(env)}) failed: ${stderr.trim()}`)))));
}

describe('training guard', () => {
  let baseline: GuardBaseline;
  let run: GuardRun;

  beforeAll(async () => {
    const mode = (expect.getState() as unknown as { snapshotState: { _updateSnapshot: 'all' | 'new' | 'none'; updated: number; added: number } }).snapshotState;
    const missing = !existsSync(GUARD_BASELINE_FILE);
    run = await runGuard('wasm');
    if (mode._updateSnapshot === 'all' || (missing && mode._updateSnapshot === 'new')) {
      const others = [];
      for (const p of OTHER_PATHS) others.push({ path: p.path, run: await runInChild(p.backend, p.env) });
      baseline = await writeGuardBaseline(run, 'wasm, conv.wasm simd128-fma', others);
      if (missing) mode.added++;
      else mode.updated++;
      console.log(`training guard baseline written: ${GUARD_BASELINE_FILE} (noise: max step Δ ${baseline.noise.maxStepDelta.toExponential(2)} over ${baseline.noise.paths.join(', ')})`);
    }
    baseline ??= readGuardBaseline();
  });

  it('the seeded run reproduces its committed loss trajectory and end metrics', () => {
    expect(guardDeviations(baseline, run)).toEqual([]);
  });

  it.each([
    ['Adam β₁ changed from 0.9 to 0.85', { adamBeta1: 0.85 }],
    ['the KL term dropped from the loss', { klWeight: 0 }],
    ['the batch order off by one', { batchShift: 1 }],
  ])('fails when the training code changes: %s', async (_label, perturbation) => {
    const deviations = guardDeviations(baseline, await runGuard('wasm', perturbation));
    expect(deviations.length).toBeGreaterThan(0);
    expect(deviations[0]).toMatch(/^(loss trajectory changed|end \w+)/);
  });
});
