/**
 * `cvae accept --report DIR` as real processes (issue 25): a perturbed candidate fails a small suite,
 * its report is copied out of the workspace (as a downloaded CI artifact) and accepted with the
 * candidate unloadable (its manifest.json moved away: nothing can re-render), after which the suite
 * passes on the candidate with the report's own bytes as goldens and baseline. An edited report or
 * another checkpoint is refused in one line; a kill -9 at any step leaves every file of the suite
 * consistent, and accepting again completes it. Needs the built CLI (`nx test cli` builds it first).
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { readBaseline, readSuite, verifyGoldens, withGoldensLock } from '@cvae/evaluation';
import { GoldenIndexSchema, GoldenReportSchema, parseJsonText } from '@cvae/formats';
import { assertCliBuilt, killAll, runCvae, WORKSPACE_ROOT } from '../test-utils/cli-process';

jest.setTimeout(120_000);

const NAMES = ['manifold', 'prior', 'recon'];
const CANDIDATE = 'runs/candidate/checkpoints/last';
let scratch: string;
let template: string;
/** The candidate's report, copied out of the workspace as a CI artifact would be downloaded. */
let download: string;

const cvaeIn = (root: string, args: string[], env: NodeJS.ProcessEnv = {}) => runCvae(args, { cwd: root, env: { CVAE_WORKSPACE: root, CVAE_BACKEND: 'wasm', CI: 'false', ...env } });

beforeAll(async () => {
  assertCliBuilt();
  scratch = mkdtempSync(path.join(tmpdir(), 'cvae-accept-'));
  template = path.join(scratch, 'template');
  cpSync(path.join(WORKSPACE_ROOT, 'runs', 'reference', 'checkpoints', 'last'), path.join(template, 'runs', 'reference', 'checkpoints', 'last'), { recursive: true });
  const init = await cvaeIn(template, ['golden', 'init', '--suite', 'suites/small', '--checkpoint', 'runs/reference/checkpoints/last', '--gate-images', '100', '--quality-samples', '0', '--no-noise', '--workers', '1']);
  expect(init.code).toBe(0);
  // 5% noise on the decoder: every golden and the ELBO gate fail.
  expect((await cvaeIn(template, ['perturb', '--checkpoint', 'runs/reference/checkpoints/last', '--out', CANDIDATE, '--scale', '0.05'])).code).toBe(0);
  const check = await cvaeIn(template, ['check', '--suite', 'suites/small', '--checkpoint', CANDIDATE, '--workers', '1']);
  expect(check.code).toBe(1);
  download = path.join(scratch, 'downloaded-report');
  cpSync(path.join(template, 'reports', 'small'), download, { recursive: true });
  rmSync(path.join(template, 'reports'), { recursive: true });
});
afterEach(killAll);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function workspace(name: string) {
  const root = path.join(scratch, name);
  cpSync(template, root, { recursive: true });
  const suiteDir = path.join(root, 'suites', 'small');
  const report = path.join(scratch, `${name}-report`);
  cpSync(download, report, { recursive: true });
  /** Every file of the suite, by name: to see that a refused accept wrote nothing. */
  const snapshot = () => Object.fromEntries(readdirSync(suiteDir).sort().map((f) => [f, readFileSync(path.join(suiteDir, f)).toString('base64')]));
  return { root, suiteDir, report, snapshot, cvae: (args: string[], env?: NodeJS.ProcessEnv) => cvaeIn(root, args, env) };
}

/** The suite as the next writer or reader under the lock finds it: every golden consistent, the baseline readable. */
async function wholeSuite(suiteDir: string) {
  await withGoldensLock(suiteDir, 'test', async () => undefined);
  const integrity = await verifyGoldens(suiteDir);
  const baseline = await readBaseline(suiteDir, (await readSuite(suiteDir)).suite);
  return { integrity: integrity.map((g) => [g.name, g.status]), baselineFrom: baseline.header.checkpoint.path, leftovers: readdirSync(suiteDir).filter((f) => f.endsWith('.pending') || f.startsWith('.lock')) };
}

describe('cvae accept', () => {
  it('promotes a downloaded report without re-rendering: the suite then passes on the candidate, with the report\'s bytes', async () => {
    const ws = workspace('accept');
    const manifest = path.join(ws.root, CANDIDATE, 'manifest.json');
    renameSync(manifest, `${manifest}.away`);
    const accepted = await ws.cvae(['accept', '--report', ws.report]);
    expect({ code: accepted.code, stderr: accepted.stderr }).toEqual({ code: 0, stderr: '' });
    renameSync(`${manifest}.away`, manifest);
    expect(accepted.stdout.split('\n').filter(Boolean)).toEqual([
      'updated   prior: made from other weights (runs/reference/checkpoints/last)',
      'updated   recon: made from other weights (runs/reference/checkpoints/last)',
      'updated   manifold: made from other weights (runs/reference/checkpoints/last)',
      'written   baseline: the candidate\'s per-image metrics (its verdicts were not all "unchanged")',
      `note: suite.json still names runs/reference/checkpoints/last (accept, like check -u, leaves it to people); check the accepted model with: cvae check --checkpoint ${CANDIDATE}`,
    ]);
    for (const name of NAMES) expect(readFileSync(path.join(ws.suiteDir, `${name}.png`)).equals(readFileSync(path.join(ws.report, name, 'actual.png')))).toBe(true);
    expect(readFileSync(path.join(ws.suiteDir, 'baseline.bin')).equals(readFileSync(path.join(ws.report, 'candidate-baseline.bin')))).toBe(true);
    const index = parseJsonText(GoldenIndexSchema, readFileSync(path.join(ws.suiteDir, 'goldens.json'), 'utf8'), 'goldens.json');
    const report = parseJsonText(GoldenReportSchema, readFileSync(path.join(ws.report, 'report.json'), 'utf8'), 'report.json');
    for (const name of NAMES) expect(index[name]).toMatchObject({ via: 'accept', checkpoint: report.checkpoint });
    const check = await ws.cvae(['check', '--suite', 'suites/small', '--checkpoint', CANDIDATE, '--workers', '1', '--ci']);
    expect({ code: check.code, stdout: check.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^PASS — report: /m) });
    // Accepting the same report again changes nothing.
    const again = await ws.cvae(['accept', '--report', ws.report]);
    expect(again.stdout).toMatch(/^unchanged prior: matches the golden within its tolerance\n(.*\n)*unchanged baseline: every verdict "unchanged"\n/);
  });

  it('refuses, in one line and writing nothing, an edited image, another checkpoint, a missing report or an unknown name', async () => {
    const ws = workspace('refuse');
    const before = ws.snapshot();
    const refused = async (args: string[], line: RegExp) => {
      const run = await ws.cvae(['accept', ...args]);
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(line) });
      expect(run.stderr.split('\n')).toHaveLength(2);
      expect(ws.snapshot()).toEqual(before);
    };
    await refused(['--report', path.join(scratch, 'nowhere')], /^cvae: --report .*nowhere: no report\.json \(expected the directory cvae check wrote/);
    await refused(['--report', ws.report, 'ghost'], /^cvae: unknown golden 'ghost' \(the report has: prior, recon, manifold\)\n$/);
    // Another image in place of prior's actual.png (a valid PNG, not the report's).
    const actual = path.join(ws.report, 'prior', 'actual.png');
    const original = readFileSync(actual);
    cpSync(path.join(ws.report, 'recon', 'actual.png'), actual);
    await refused(['--report', ws.report], /^cvae: .*prior\/actual\.png: sha256 [0-9a-f]{12}… differs from report\.json's [0-9a-f]{12}… \(edited after the check\?\)\n$/);
    writeFileSync(actual, original);
    // The checkpoint at the report's path is now another one (the reference's weights).
    const decoder = path.join(ws.root, CANDIDATE, 'decoder', 'weights.bin');
    cpSync(path.join(ws.root, 'runs', 'reference', 'checkpoints', 'last', 'decoder', 'weights.bin'), decoder);
    await refused(['--report', ws.report], /^cvae: checkpoint runs\/candidate\/checkpoints\/last: decoder\/weights\.bin has sha256 [0-9a-f]{12}…, the report was made from [0-9a-f]{12}… \(another checkpoint\)\n$/);
    rmSync(path.join(ws.root, CANDIDATE), { recursive: true });
    await refused(['--report', ws.report], /^cvae: checkpoint runs\/candidate\/checkpoints\/last: no encoder\/weights\.bin here/);
  });

  it.each([
    ['CVAE_TEST_KILL_GOLDEN_WRITE_AT', 'index', 'runs/reference/checkpoints/last'],
    ['CVAE_TEST_KILL_ACCEPT_AT', 'goldens', 'runs/reference/checkpoints/last'],
    ['CVAE_TEST_KILL_ACCEPT_AT', 'baseline-pending', 'runs/reference/checkpoints/last'],
    ['CVAE_TEST_KILL_ACCEPT_AT', 'baseline-index', CANDIDATE],
  ])('kill -9 at %s=%s: every file of the suite stays consistent, and accepting again completes it', async (variable, step, baselineFrom) => {
    const ws = workspace(`kill-${step}`);
    const killed = await ws.cvae(['accept', '--report', ws.report], { [variable]: step });
    expect(killed.signal).toBe('SIGKILL');
    expect(await wholeSuite(ws.suiteDir)).toEqual({ integrity: NAMES.map((n) => [n, 'ok']), baselineFrom, leftovers: [] });
    const again = await ws.cvae(['accept', '--report', ws.report]);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await wholeSuite(ws.suiteDir)).toEqual({ integrity: NAMES.map((n) => [n, 'ok']), baselineFrom: CANDIDATE, leftovers: [] });
    for (const name of NAMES) expect(readFileSync(path.join(ws.suiteDir, `${name}.png`)).equals(readFileSync(path.join(ws.report, name, 'actual.png')))).toBe(true);
    expect(existsSync(path.join(ws.suiteDir, 'baseline.bin.pending'))).toBe(false);
  });
});
