/**
 * The jest path of the suites (suites.spec.ts, what `nx test evaluation` runs) in CI mode, as a real
 * jest process on a workspace of its own (CVAE_WORKSPACE) with one small suite holding an obsolete
 * golden: under jest's --ci — the flag, or CI set, which jest reads through ci-info — the test
 * "no obsolete goldens" fails naming it and report.json marks it failed; with --ci=false it is only
 * reported (issue 23). The same rule as `cvae check`'s, tested in apps/cli's check-process.spec.ts.
 */
import { spawn } from 'child_process';
import { cpSync, readFileSync, rmSync } from 'fs';
import * as path from 'path';
import type { GoldenReport } from '@cvae/formats';
import { initSuite } from './init';
import { referenceCheckpoint, tempDir } from './test-utils/reference';
import { stripVTControlCharacters } from 'util';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const JEST = require.resolve('jest/bin/jest');
const SUITES_SPEC = path.join(__dirname, 'suites.spec.ts');

let workspace: string;

beforeAll(async () => {
  workspace = tempDir('suites-ci');
  const checkpoint = path.join(workspace, 'runs', 'small', 'checkpoints', 'last');
  cpSync(referenceCheckpoint(), checkpoint, { recursive: true });
  // Named reference: suites.spec.ts's first test expects the workspace's reference suite.
  const suiteDir = path.join(workspace, 'suites', 'reference');
  await initSuite({ suiteDir, checkpoint, gateImages: 100, images: { prior: { kind: 'prior', seed: 3, grid: 3 } }, measureNoise: false, qualitySamples: 0, workers: 1 });
  cpSync(path.join(suiteDir, 'prior.png'), path.join(suiteDir, 'ghost.png'));
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

/** `jest suites.spec.ts` with `args`, in this repository, on the test workspace; its exit code and output. */
function runSuites(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [JEST, '-c', path.join(ROOT, 'packages', 'evaluation', 'jest.config.js'), '--runTestsByPath', SUITES_SPEC, ...args], {
      cwd: ROOT,
      env: { ...process.env, CVAE_WORKSPACE: workspace, CVAE_BACKEND: 'wasm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: stripVTControlCharacters(output) }));
  });
}

const obsoleteInReport = () => (JSON.parse(readFileSync(path.join(workspace, 'reports', 'reference', 'report.json'), 'utf8')) as GoldenReport).obsolete.map((o) => [o.name, o.failed]);

describe('suites.spec.ts under jest --ci', () => {
  it.each([
    ['--ci', ['--ci'], { CI: 'false' }],
    ['CI=true', [], { CI: 'true' }],
  ])('%s: an obsolete golden fails "no obsolete goldens", naming it; report.json marks it failed', async (_name, args, env) => {
    const { code, output } = await runSuites(args, env);
    expect({ code, output }).toEqual({ code: 1, output: expect.stringContaining('✕ no obsolete goldens') });
    expect(output).toMatch(/golden ghost: OBSOLETE, FAIL \(CI mode\): no image of suite\.json produces it/);
    expect(output).toMatch(/✓ golden prior/);
    expect(obsoleteInReport()).toEqual([['ghost', true]]);
  });

  it('--ci=false with CI set: the obsolete golden is reported, every test passes', async () => {
    const { code, output } = await runSuites(['--ci=false'], { CI: 'true' });
    expect({ code, output }).toEqual({ code: 0, output: expect.stringContaining('✓ no obsolete goldens') });
    expect(output).toMatch(/golden ghost: OBSOLETE, reported \(fails under --ci\)/);
    expect(obsoleteInReport()).toEqual([['ghost', false]]);
  });
});
