/**
 * acceptReport with the real model and files: a suite of the reference checkpoint, a perturbed
 * candidate's report, and what accepting it writes — the same suite as `check -u` on the candidate
 * writes (goldens, goldens.json's provenance, baseline, obsolete goldens removed), only the named
 * goldens when names are given, no baseline from a pixels-only report; and what it refuses.
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { GoldenIndexSchema, SUITE_FILE, type GoldenReport, type ReportCandidate, type Suite, parseJsonText } from '@cvae/formats';
import { AcceptRefusedError, acceptReport } from './accept';
import { CANDIDATE_BASELINE_FILES } from './baseline';
import { checkSuite } from './check';
import { initSuite } from './init';
import { perturbCheckpoint } from './perturb';
import { referenceCheckpoint, tempDir } from './test-utils/reference';

jest.setTimeout(300_000);

const IMAGES = { prior: { kind: 'prior' as const, seed: 3, grid: 3 }, recon: { kind: 'recon' as const, seed: 0, grid: 4 } };

let scratch: string;
/** The suite as init left it, with an obsolete golden (ghost.png); copied for each test. */
let pristine: string;
let candidate: string;
/** The candidate's full report, and one of the pixels only. */
let fullReport: string;
let pixelsReport: string;

beforeAll(async () => {
  scratch = tempDir('accept');
  pristine = path.join(scratch, 'pristine');
  await initSuite({ suiteDir: pristine, checkpoint: referenceCheckpoint(), gateImages: 200, images: IMAGES, measureNoise: false, qualitySamples: 0, workers: 1 });
  cpSync(path.join(pristine, 'prior.png'), path.join(pristine, 'ghost.png'));
  candidate = path.join(scratch, 'candidate');
  await perturbCheckpoint(referenceCheckpoint(), candidate, { scale: 0.05, seed: 1, part: 'decoder' });
  fullReport = path.join(scratch, 'report-full');
  pixelsReport = path.join(scratch, 'report-pixels');
  const full = await checkSuite({ suiteDir: copySuite('for-full-report'), checkpoint: candidate, reportDir: fullReport, workers: 1 });
  expect(full.report.passed).toBe(false);
  await checkSuite({ suiteDir: copySuite('for-pixels-report'), checkpoint: candidate, reportDir: pixelsReport, pixelsOnly: true });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function copySuite(name: string): string {
  const dir = path.join(scratch, name);
  cpSync(pristine, dir, { recursive: true });
  return dir;
}

/** The report's candidate files (present in every report this spec makes). */
const files = (report: GoldenReport) => (report.candidate as ReportCandidate).files;

function copyReport(from: string, name: string, edit?: (report: GoldenReport) => void): string {
  const dir = path.join(scratch, name);
  cpSync(from, dir, { recursive: true });
  if (edit !== undefined) {
    const file = path.join(dir, 'report.json');
    const report = JSON.parse(readFileSync(file, 'utf8')) as GoldenReport;
    edit(report);
    writeFileSync(file, JSON.stringify(report));
  }
  return dir;
}

/** What a suite holds, without the times and the writer (accept's entries say 'accept', -u's 'update'). */
function contents(dir: string) {
  const index = parseJsonText(GoldenIndexSchema, readFileSync(path.join(dir, 'goldens.json'), 'utf8'), 'goldens.json');
  const provenance = Object.fromEntries(Object.entries(index).map(([name, { createdAt: _c, via: _v, ...rest }]) => [name, rest]));
  const files = readdirSync(dir).filter((f) => f.endsWith('.png') || f.endsWith('.bin')).sort();
  return { files: Object.fromEntries(files.map((f) => [f, readFileSync(path.join(dir, f)).toString('base64')])), provenance };
}

test('accepting the whole report leaves the suite check -u on the candidate would: goldens, provenance, baseline, obsolete removed', async () => {
  const accepted = copySuite('accept-all');
  const result = await acceptReport({ reportDir: fullReport, suiteDir: accepted });
  expect(result.goldens.map((c) => [c.name, c.status])).toEqual([['prior', 'updated'], ['recon', 'updated'], ['ghost', 'removed']]);
  expect(result.baseline).toBe('written');
  const updated = copySuite('update-all');
  await checkSuite({ suiteDir: updated, checkpoint: candidate, update: 'all', reportDir: path.join(scratch, 'report-update'), workers: 1 });
  expect(contents(accepted)).toEqual(contents(updated));
  expect(readFileSync(path.join(accepted, 'baseline.json'), 'utf8')).toBe(readFileSync(path.join(fullReport, CANDIDATE_BASELINE_FILES.header), 'utf8').replace(CANDIDATE_BASELINE_FILES.data, 'baseline.bin'));
});

test('named goldens: only those, the baseline and obsolete goldens left as they are', async () => {
  const suiteDir = copySuite('accept-named');
  const before = contents(suiteDir);
  const result = await acceptReport({ reportDir: fullReport, suiteDir, names: ['recon'] });
  expect(result.goldens.map((c) => [c.name, c.status])).toEqual([['recon', 'updated']]);
  expect(result.baseline).toBe('skipped');
  const after = contents(suiteDir);
  expect(after.files['recon.png']).toBe(readFileSync(path.join(fullReport, 'recon', 'actual.png')).toString('base64'));
  for (const file of ['prior.png', 'ghost.png', 'baseline.bin']) expect(after.files[file]).toBe(before.files[file]);
});

test('a pixels-only report carries no candidate metrics: its goldens are accepted, the baseline is not', async () => {
  expect(existsSync(path.join(pixelsReport, CANDIDATE_BASELINE_FILES.data))).toBe(false);
  const suiteDir = copySuite('accept-pixels');
  const baseline = readFileSync(path.join(suiteDir, 'baseline.bin'));
  const result = await acceptReport({ reportDir: pixelsReport, suiteDir });
  expect(result.baseline).toBe('skipped');
  expect(result.goldens.filter((c) => c.status === 'updated').map((c) => c.name)).toEqual(['prior', 'recon']);
  expect(readFileSync(path.join(suiteDir, 'baseline.bin')).equals(baseline)).toBe(true);
});

test.each([
  ['a report from before accept', (r: GoldenReport) => delete r.candidate, /report\.json: has no candidate section \(written before cvae accept\); run cvae check again$/],
  ['a file outside the report', (r: GoldenReport) => void (files(r)['../pristine/suite.json'] = 'a'.repeat(64)), /report\.json: candidate\.files\.\.\.\/pristine\/suite\.json: expected a path inside the report directory \(got "\.\.\/pristine\/suite\.json"\)$/],
  ['an image whose bytes are not the recorded ones', (r: GoldenReport) => void (files(r)['prior/actual.png'] = 'b'.repeat(64)), /prior\/actual\.png: sha256 [0-9a-f]{12}… differs from report\.json's bbbbbbbbbbbb… \(edited after the check\?\)$/],
  ['another checkpoint', (r: GoldenReport) => void (r.checkpoint.weights['decoder/weights.bin'] = 'c'.repeat(64)), /decoder\/weights\.bin has sha256 [0-9a-f]{12}…, the report was made from cccccccccccc… \(another checkpoint\)$/],
])('refuses %s, writing nothing', async (label, edit, message) => {
  const suiteDir = copySuite(`refuse-${label.replace(/\W+/g, '-')}`);
  const before = contents(suiteDir);
  const reportDir = copyReport(fullReport, `report-${label.replace(/\W+/g, '-')}`, edit);
  const refusal = await acceptReport({ reportDir, suiteDir }).catch((error: Error) => error);
  expect(refusal).toBeInstanceOf(AcceptRefusedError);
  expect((refusal as Error).message).toMatch(message);
  expect(contents(suiteDir)).toEqual(before);
});

test('refuses a report whose recipe suite.json has changed since, and a suite image the report lacks', async () => {
  const suiteDir = copySuite('refuse-recipe');
  const suiteFile = path.join(suiteDir, SUITE_FILE);
  const suite = JSON.parse(readFileSync(suiteFile, 'utf8')) as Suite;
  writeFileSync(suiteFile, JSON.stringify({ ...suite, images: { ...suite.images, prior: { ...suite.images.prior, seed: 4 } } }));
  await expect(acceptReport({ reportDir: fullReport, suiteDir })).rejects.toThrow(/prior\/result\.json: drawn with another recipe than suite\.json's prior \(suite\.json changed since the check\); run cvae check again$/);
  writeFileSync(suiteFile, JSON.stringify({ ...suite, images: { ...suite.images, extra: suite.images.prior } }));
  await expect(acceptReport({ reportDir: fullReport, suiteDir })).rejects.toThrow(/^the report has no image extra of suite\.json/);
  // Naming the goldens the report has still works.
  expect((await acceptReport({ reportDir: fullReport, suiteDir, names: ['prior'] })).goldens.map((c) => c.status)).toEqual(['updated']);
});
