/**
 * CI mode of `cvae check` and `cvae golden check` as real processes (issue 23): on with --ci or when
 * the environment is a CI (ci-info's rule, as jest's --ci: CI set and not "false"), off with --no-ci.
 * In CI mode a missing or obsolete golden fails (exit 1) and is named in the output and in
 * report.json; outside it an obsolete golden is only reported and `cvae check` writes a missing one.
 * Every run sets CI itself, so the tests mean the same on a developer's machine and in CI.
 * Needs the built CLI (`nx test cli` builds it first).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { GoldenReport, SUITE_FILE, Suite } from '@cvae/formats';
import { WORKSPACE_ROOT, assertCliBuilt, killAll, runCvae } from '../test-utils/cli-process';

jest.setTimeout(120_000);

/** CI=false overrides every other variable ci-info looks at (GITHUB_ACTIONS, BUILD_ID, …). */
const NOT_CI = { CI: 'false' };
const CI = { CI: 'true' };

let scratch: string;
let template: string;

beforeAll(async () => {
  assertCliBuilt();
  scratch = mkdtempSync(path.join(tmpdir(), 'cvae-check-ci-'));
  template = path.join(scratch, 'template');
  cpSync(path.join(WORKSPACE_ROOT, 'runs', 'reference', 'checkpoints', 'last'), path.join(template, 'runs', 'reference', 'checkpoints', 'last'), { recursive: true });
  // A small suite of the reference model: its three image sets, gates on 100 test images, no quality gate.
  const init = await runCvae(['golden', 'init', '--suite', 'suites/small', '--checkpoint', 'runs/reference/checkpoints/last', '--gate-images', '100', '--quality-samples', '0', '--no-noise', '--workers', '1'], { cwd: template, env: { CVAE_WORKSPACE: template, CVAE_BACKEND: 'wasm' } });
  expect(init.code).toBe(0);
}, 120_000);
afterEach(killAll);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the template workspace with an obsolete golden (`ghost.png`, no image of suite.json makes it) in its suite. */
function workspaceWithGhost(name: string) {
  const root = path.join(scratch, name);
  cpSync(template, root, { recursive: true });
  const suiteDir = path.join(root, 'suites', 'small');
  cpSync(path.join(suiteDir, 'prior.png'), path.join(suiteDir, 'ghost.png'));
  const cvae = (args: string[], env: NodeJS.ProcessEnv) => runCvae(args, { cwd: root, env: { CVAE_WORKSPACE: root, CVAE_BACKEND: 'wasm', ...env } });
  const report = () => JSON.parse(readFileSync(path.join(root, 'reports', 'small', 'report.json'), 'utf8')) as GoldenReport;
  const obsolete = () => report().obsolete.map((o) => [o.name, o.failed]);
  const addImage = (image: string) => {
    const suite = JSON.parse(readFileSync(path.join(suiteDir, SUITE_FILE), 'utf8')) as Suite;
    suite.images[image] = { ...suite.images.prior, seed: 7 };
    writeFileSync(path.join(suiteDir, SUITE_FILE), JSON.stringify(suite));
  };
  return { root, suiteDir, cvae, report, obsolete, addImage };
}

describe('cvae check in CI mode', () => {
  it('an obsolete golden fails with --ci and when CI is set, named in the output and the report; --no-ci only reports it', async () => {
    const ws = workspaceWithGhost('check-obsolete');
    const check = ['check', '--suite', 'suites/small', '--workers', '1'];
    for (const [args, env] of [[[...check, '--ci'], NOT_CI], [check, CI]] as const) {
      const run = await ws.cvae([...args], env);
      expect({ args, code: run.code }).toEqual({ args, code: 1 });
      expect(run.stdout).toMatch(/^golden ghost: OBSOLETE, FAIL \(CI mode\): no image of suite\.json produces it; remove it with: npx cvae golden update --suite suites\/small/m);
      expect(run.stdout).toMatch(/^FAIL — report: /m);
      expect(ws.report().passed).toBe(false);
      expect(ws.obsolete()).toEqual([['ghost', true]]);
      expect(readFileSync(path.join(ws.root, 'reports', 'small', 'index.html'), 'utf8')).toContain('ghost');
    }
    for (const env of [CI, NOT_CI]) {
      const run = await ws.cvae([...check, '--no-ci'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^golden ghost: OBSOLETE, reported \(fails under --ci\)/m);
      expect(ws.report().passed).toBe(true);
      expect(ws.obsolete()).toEqual([['ghost', false]]);
    }
    expect(existsSync(path.join(ws.suiteDir, 'ghost.png'))).toBe(true);
  });

  it('a missing golden fails when CI is set and is not written; --no-ci writes it', async () => {
    const ws = workspaceWithGhost('check-missing');
    ws.addImage('extra');
    const check = ['check', '--suite', 'suites/small', '--workers', '1'];
    const ci = await ws.cvae(check, CI);
    expect(ci.code).toBe(1);
    expect(ci.stdout).toMatch(/^golden extra: MISSING /m);
    expect(ws.report().comparisons.find((c) => c.name === 'extra')?.status).toBe('missing');
    expect(existsSync(path.join(ws.suiteDir, 'extra.png'))).toBe(false);
    const local = await ws.cvae([...check, '--no-ci'], CI);
    expect(local.code).toBe(0);
    expect(local.stderr).toContain('cvae check: golden extra created');
    expect(existsSync(path.join(ws.suiteDir, 'extra.png'))).toBe(true);
  });

  it('--ci conflicts with -u (one line, exit 2); --no-ci -u accepts, removing the obsolete golden', async () => {
    const ws = workspaceWithGhost('check-update');
    const conflict = await ws.cvae(['check', '--suite', 'suites/small', '--ci', '-u'], NOT_CI);
    expect(conflict).toMatchObject({ code: 2, stdout: '', stderr: "cvae: option '--ci' cannot be used with option '-u, --update'\n" });
    const accept = await ws.cvae(['check', '--suite', 'suites/small', '--no-ci', '-u', '--workers', '1'], CI);
    expect(accept.code).toBe(0);
    expect(existsSync(path.join(ws.suiteDir, 'ghost.png'))).toBe(false);
  });
});

describe('cvae golden check in CI mode', () => {
  it('an obsolete golden fails with --ci and when CI is set; --no-ci only reports it', async () => {
    const ws = workspaceWithGhost('golden-obsolete');
    const goldenCheck = ['golden', 'check', '--suite', 'suites/small'];
    for (const [args, env] of [[[...goldenCheck, '--ci'], NOT_CI], [goldenCheck, CI]] as const) {
      const run = await ws.cvae([...args], env);
      expect({ args, code: run.code }).toEqual({ args, code: 1 });
      expect(run.stdout).toMatch(/^golden ghost: OBSOLETE, FAIL \(CI mode\)/m);
      expect(ws.obsolete()).toEqual([['ghost', true]]);
    }
    const local = await ws.cvae([...goldenCheck, '--no-ci'], CI);
    expect(local.code).toBe(0);
    expect(local.stdout).toMatch(/^golden ghost: OBSOLETE, reported/m);
    expect(ws.obsolete()).toEqual([['ghost', false]]);
  });

  it('a missing golden fails in both modes: golden check never writes one', async () => {
    const ws = workspaceWithGhost('golden-missing');
    ws.addImage('extra');
    for (const flag of ['--ci', '--no-ci']) {
      const run = await ws.cvae(['golden', 'check', '--suite', 'suites/small', flag], NOT_CI);
      expect({ flag, code: run.code }).toEqual({ flag, code: 1 });
      expect(run.stdout).toMatch(/^golden extra: MISSING /m);
    }
    expect(existsSync(path.join(ws.suiteDir, 'extra.png'))).toBe(false);
  });
});
