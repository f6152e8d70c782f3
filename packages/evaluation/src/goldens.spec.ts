import { copyFileSync, existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { checkGoldens, checkGoldensForModel, GoldenReport, REPORT_FILE } from './golden-check';
import { GOLDEN_CONFIG_FILE, GOLDENS_INDEX_FILE, GoldenIndex, readGoldenConfig } from './golden-store';
import { acceptGolden, updateGoldensForModel } from './golden-update';
import { LoadedForEvaluation, loadForEvaluation } from './load';
import { defaultGoldensDir } from './paths';
import { perturbDecoderKernel, referenceCheckpoint, tempDir } from './test-utils/reference';

const COMMITTED_GOLDENS = ['prior', 'recon', 'manifold'];

test('golden.config.json lists prior, recon and manifold', async () => {
  expect(Object.keys((await readGoldenConfig()).images)).toEqual(expect.arrayContaining(COMMITTED_GOLDENS));
});

// The committed goldens, rendered from the reference checkpoint on this machine's backend.
describe('committed goldens', () => {
  let report: GoldenReport;
  beforeAll(async () => {
    report = await checkGoldens({ checkpoint: referenceCheckpoint() });
  }, 120_000);

  test.each(COMMITTED_GOLDENS)('%s matches its golden', (name) => {
    const entry = report.comparisons.find((c) => c.name === name);
    if (entry?.status !== 'pass') throw new Error(entry?.message ?? `no comparison for ${name}`);
    expect(entry.diffPixels).toBeLessThanOrEqual(entry.thresholds.maxDiffPixels);
  });
});

// Proof that the golden harness bites, independent of the committed goldens: goldens are made
// from the reference in a temp dir (with the committed thresholds), then the model is perturbed.
describe('golden harness on a perturbed model', () => {
  let loaded: LoadedForEvaluation;
  let goldensDir: string;
  let reportDir: string;
  const source = () => ({ checkpoint: loaded.checkpoint, backend: loaded.backend });

  beforeAll(async () => {
    loaded = await loadForEvaluation({ checkpoint: referenceCheckpoint() });
    goldensDir = tempDir('goldens');
    reportDir = tempDir('report');
    copyFileSync(path.join(defaultGoldensDir(), GOLDEN_CONFIG_FILE), path.join(goldensDir, GOLDEN_CONFIG_FILE));
  }, 60_000);
  afterAll(() => loaded?.model.dispose());

  test('fresh goldens from the unperturbed model pass, and a second update changes nothing', async () => {
    const created = await updateGoldensForModel(loaded.model, source(), { goldensDir });
    expect(created.map((c) => c.status)).toEqual(created.map(() => 'created'));
    const report = await checkGoldensForModel(loaded.model, source(), { goldensDir, reportDir });
    expect(report.comparisons.map((c) => [c.name, c.status])).toEqual(created.map((c) => [c.name, 'pass']));
    expect((await updateGoldensForModel(loaded.model, source(), { goldensDir })).map((c) => c.status)).toEqual(created.map(() => 'unchanged'));
  }, 60_000);

  test('noise on one decoder kernel fails every comparison and writes the report', async () => {
    perturbDecoderKernel(loaded.model, 'decoder_logits', 2024, 1);
    const report = await checkGoldensForModel(loaded.model, source(), { goldensDir, reportDir });
    expect(report.passed).toBe(false);
    for (const entry of report.comparisons) {
      expect([entry.name, entry.status]).toEqual([entry.name, 'fail']);
      expect(entry.diffPixels).toBeGreaterThan(entry.thresholds.maxDiffPixels);
      expect(entry.message).toContain(`report: ${path.join(reportDir, entry.name)}/`);
      for (const file of [entry.actual, entry.expected, entry.diff, entry.result]) expect(existsSync(path.join(reportDir, file!))).toBe(true);
    }
    const onDisk = JSON.parse(readFileSync(path.join(reportDir, REPORT_FILE), 'utf8')) as GoldenReport;
    expect(onDisk.counts.fail).toBe(report.comparisons.length);
    expect(onDisk.checkpoint).toEqual(loaded.checkpoint);
  }, 60_000);

  test('acceptGolden promotes the actual image, after which that comparison passes', async () => {
    const record = await acceptGolden('prior', { reportDir, goldensDir });
    expect(record.via).toBe('accept');
    const index = JSON.parse(readFileSync(path.join(goldensDir, GOLDENS_INDEX_FILE), 'utf8')) as GoldenIndex;
    expect(index.prior.sha256).toBe(record.sha256);
    const report = await checkGoldensForModel(loaded.model, source(), { goldensDir, reportDir, names: ['prior'] });
    expect(report.comparisons[0].status).toBe('pass');
  }, 60_000);
});
