/**
 * A suite's life with the real model and files: `initSuite` on the reference checkpoint, then checks
 * in jest's three update modes — what each writes (goldens, baseline), what each refuses to write, and
 * that suite.json (its floors above all) is never rewritten by any of them.
 */
import { existsSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'fs';
import * as path from 'path';
import { BASELINE_FILE, SUITE_FILE, type Suite } from '@cvae/formats';
import { checkSuite, type UpdateMode } from './check';
import { SuiteExistsError, initSuite } from './init';
import { perturbCheckpoint } from './perturb';
import { referenceCheckpoint, tempDir } from './test-utils/reference';

jest.setTimeout(300_000);

const IMAGES = { prior: { kind: 'prior' as const, seed: 3, grid: 3 }, recon: { kind: 'recon' as const, seed: 0, grid: 4 } };

let scratch: string;
let suiteDir: string;
let suiteJson: string;

beforeAll(async () => {
  scratch = tempDir('lifecycle');
  suiteDir = path.join(scratch, 'suite');
  await initSuite({ suiteDir, checkpoint: referenceCheckpoint(), gateImages: 300, images: IMAGES, measureNoise: false, qualitySamples: 0, workers: 1 });
  suiteJson = readFileSync(path.join(suiteDir, SUITE_FILE), 'utf8');
});
afterEach(() => expect(readFileSync(path.join(suiteDir, SUITE_FILE), 'utf8')).toBe(suiteJson));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const check = (update: UpdateMode, checkpoint?: string) => checkSuite({ suiteDir, checkpoint, update, reportDir: path.join(scratch, 'report'), workers: 1 });
const editSuite = (edit: (suite: Suite) => void) => {
  const suite = JSON.parse(suiteJson) as Suite;
  edit(suite);
  writeFileSync(path.join(suiteDir, SUITE_FILE), JSON.stringify(suite));
};
const restoreSuite = () => writeFileSync(path.join(suiteDir, SUITE_FILE), suiteJson);

test('init writes goldens, a baseline and the suite, proposes floors, and leaves no staging directory', () => {
  expect(readdirSync(suiteDir).sort()).toEqual(['baseline.bin', BASELINE_FILE, 'goldens.json', 'noise.json', 'prior.png', 'recon.png', SUITE_FILE]);
  expect(readdirSync(scratch)).toEqual(['suite']);
  const suite = JSON.parse(suiteJson) as Suite;
  expect(suite.gates.images).toBe(300);
  expect(suite.gates.metrics.elbo.floor?.min).toEqual(expect.any(Number));
});

test('init refuses an existing suite directory and changes nothing in it', async () => {
  await expect(initSuite({ suiteDir, checkpoint: referenceCheckpoint(), images: IMAGES, measureNoise: false, qualitySamples: 0 })).rejects.toThrow(SuiteExistsError);
  expect(readdirSync(scratch)).toEqual(['suite']);
});

test('the checkpoint it was made from passes, every gate unchanged; the report has its static index.html', async () => {
  const { report, reportDir, written } = await check('none');
  expect(report.passed).toBe(true);
  expect(report.gates.map((g) => g.verdict)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  expect(written).toEqual({ goldens: [], baseline: false });
  expect(existsSync(path.join(reportDir, 'index.html'))).toBe(true);
  expect(existsSync(path.join(reportDir, 'prior', 'expected.png'))).toBe(true);
});

test('a new image: --ci fails it as missing and writes nothing; the default mode writes it', async () => {
  editSuite((suite) => (suite.images.manifold = { kind: 'manifold', seed: 0, grid: 3, tolerance: suite.images.prior.tolerance }));
  try {
    const ci = await check('none');
    expect(ci.report.comparisons.find((c) => c.name === 'manifold')?.status).toBe('missing');
    expect(ci.report.passed).toBe(false);
    expect(existsSync(path.join(suiteDir, 'manifold.png'))).toBe(false);
    const written = await check('new');
    expect(written.written.goldens.map((c) => [c.name, c.status])).toEqual([['manifold', 'created']]);
    expect(written.report.passed).toBe(true);
    // Removed from suite.json again: obsolete, reported by every mode, removed only by -u.
  } finally {
    restoreSuite();
  }
  expect((await check('new')).report.obsolete.map((o) => [o.name, o.failed])).toEqual([['manifold', false]]);
  const ci = await check('none');
  expect(ci.report.obsolete.map((o) => [o.name, o.failed])).toEqual([['manifold', true]]);
  expect(ci.report.passed).toBe(false);
  expect(existsSync(path.join(suiteDir, 'manifold.png'))).toBe(true);
  const removed = await check('all');
  expect(removed.written.goldens.filter((c) => c.status === 'removed').map((c) => c.name)).toEqual(['manifold']);
  expect(existsSync(path.join(suiteDir, 'manifold.png'))).toBe(false);
  expect((await check('none')).report.obsolete).toEqual([]);
});

test('without a baseline every gate fails saying how to write one; the default mode writes it', async () => {
  const baseline = readFileSync(path.join(suiteDir, BASELINE_FILE));
  unlinkSync(path.join(suiteDir, BASELINE_FILE));
  const ci = await check('none');
  expect(ci.report.passed).toBe(false);
  expect(ci.report.gates.every((g) => !g.passed && g.verdict === null && g.paired === null)).toBe(true);
  expect(ci.report.gates[0].message).toMatch(/^ELBO: no baseline to compare with \(.*baseline\.json.*\); write it with: cvae check -u --suite /);
  const written = await check('new');
  expect(written.written.baseline).toBe(true);
  expect(written.report.passed).toBe(true);
  expect(JSON.parse(readFileSync(path.join(suiteDir, BASELINE_FILE), 'utf8')).sha256).toBe(JSON.parse(baseline.toString()).sha256);
});

test('-u accepts another checkpoint: changed goldens and the baseline are rewritten, then it passes unchanged', async () => {
  const other = path.join(scratch, 'decoder-1pct');
  await perturbCheckpoint(referenceCheckpoint(), other, { part: 'decoder', scale: 0.01, seed: 1 });
  const before = await check('new', other);
  expect(before.report.comparisons.map((c) => c.status)).toEqual(['fail', 'fail']);
  expect(before.written).toEqual({ goldens: [], baseline: false }); // the default mode never overwrites
  const accepted = await check('all', other);
  expect(accepted.written.goldens.map((c) => [c.name, c.status])).toEqual([['prior', 'updated'], ['recon', 'updated']]);
  expect(accepted.written.baseline).toBe(true);
  const after = await check('none', other);
  expect(after.report.passed).toBe(true);
  expect(after.report.gates.map((g) => g.verdict)).toEqual(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  // The goldens now say "made from other weights" for the checkpoint suite.json names.
  expect((await check('none')).report.comparisons.map((c) => c.status)).toEqual(['fail', 'fail']);
});
