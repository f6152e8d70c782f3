import { promises as fs } from 'fs';
import * as path from 'path';
import { decodePng, encodeRgbaPng, writeFileAtomic, writeJsonAtomic } from '@cvae/images';
import { type CVAE } from '@cvae/model';
import { ComparisonResult, ComparisonStatus, GoldenReport, GoldenThresholds, REPORT_FORMAT_VERSION, ReportEntry } from '@cvae/formats';
import { compareImages, ImageComparison } from './compare';
import { renderGoldens } from './golden-render';
import { GoldenIndex, GoldenProvenance, goldenFile, readGoldenIndex, readGoldenPng } from './golden-store';
import { verifyGoldens, whileNoGoldenWrite } from './golden-writes';
import { EvaluationSource, withLoadedModel } from './load';
import { defaultGoldensDir, defaultReportDir, relativePosix } from './paths';
import { sameWeights } from './provenance';

export const REPORT_FILE = 'report.json';
export { REPORT_FORMAT_VERSION };
export type { GoldenReport, ReportEntry };

export interface CheckGoldensOptions {
  checkpoint?: string;
  reportDir?: string;
  backend?: string;
  goldensDir?: string;
  /** Only these configured images (default: all). */
  names?: string[];
}

/** Loads the checkpoint, renders every configured image, compares and writes the report. */
export async function checkGoldens(options: CheckGoldensOptions = {}): Promise<GoldenReport> {
  return withLoadedModel(options, (model, source) => checkGoldensForModel(model, source, options));
}

export async function checkGoldensForModel(
  model: CVAE,
  source: EvaluationSource,
  options: Omit<CheckGoldensOptions, 'checkpoint' | 'backend'> = {},
): Promise<GoldenReport> {
  const goldensDir = path.resolve(options.goldensDir ?? defaultGoldensDir());
  const reportDir = path.resolve(options.reportDir ?? defaultReportDir());
  const { rendered } = await renderGoldens(model, source, goldensDir, options.names);
  // The goldens as one consistent state: no writer is halfway through a PNG and its index entry.
  const { index, pngs, integrity } = await whileNoGoldenWrite(goldensDir, `golden check (reading ${goldensDir})`, async () => ({
    index: await readGoldenIndex(goldensDir),
    pngs: new Map(await Promise.all(rendered.map(async ({ name }) => [name, await readGoldenPng(goldensDir, name)] as const))),
    integrity: new Map((await verifyGoldens(goldensDir)).map((g) => [g.name, g])),
  }));
  const comparisons: ReportEntry[] = [];
  for (const { name, png, provenance, thresholds } of rendered) {
    const problem = integrity.get(name)?.status === 'stale' ? integrity.get(name)?.problem : undefined;
    comparisons.push(await compareAndReport({ name, actualPng: png, expectedPng: pngs.get(name), integrityProblem: problem, provenance, thresholds, goldensDir, reportDir, index }));
  }
  const report = buildReport(comparisons, source, goldensDir, reportDir);
  await writeJsonAtomic(path.join(reportDir, REPORT_FILE), report);
  return report;
}

interface CompareJob {
  name: string;
  actualPng: Uint8Array;
  /** The golden's bytes as read (undefined: no golden yet). */
  expectedPng: Uint8Array | undefined;
  /** Set when the golden PNG does not match its goldens.json entry: the comparison fails, naming it. */
  integrityProblem?: string;
  provenance: GoldenProvenance;
  thresholds: GoldenThresholds;
  goldensDir: string;
  reportDir: string;
  index: GoldenIndex;
}

/**
 * Compares one rendered PNG with its golden. On anything but a pass, writes
 * `<reportDir>/<name>/` {actual.png, expected.png (a copy, if any), diff.png (if comparable),
 * result.json}; on a pass, removes that directory so no stale evidence is left behind.
 */
export async function compareAndReport(job: CompareJob): Promise<ReportEntry> {
  const { name, actualPng, expectedPng, thresholds, goldensDir, reportDir } = job;
  const actual = decodePng(actualPng);
  const pixels = compareImages(expectedPng === undefined ? undefined : decodePng(expectedPng), actual, thresholds);
  const comparison: ImageComparison = job.integrityProblem !== undefined && pixels.status === 'pass' ? { ...pixels, status: 'fail' } : pixels;
  const imageDir = path.join(reportDir, name);
  await fs.rm(imageDir, { recursive: true, force: true });
  const rel = (file: string) => relativePosix(reportDir, file);
  const entry: ReportEntry = {
    name,
    status: comparison.status,
    kind: job.provenance.kind,
    seed: job.provenance.seed,
    grid: job.provenance.grid,
    expected: expectedPng === undefined ? null : rel(goldenFile(goldensDir, name)),
    actual: null,
    diff: null,
    result: null,
    width: comparison.width,
    height: comparison.height,
    expectedWidth: comparison.expectedSize?.width ?? (comparison.status === 'missing' ? null : comparison.width),
    expectedHeight: comparison.expectedSize?.height ?? (comparison.status === 'missing' ? null : comparison.height),
    diffPixels: comparison.diffPixels ?? null,
    diffRatio: comparison.diffRatio ?? null,
    maxDelta: comparison.maxDelta ?? null,
    thresholds,
    message: '',
  };
  entry.message = job.integrityProblem !== undefined
    ? `golden ${name}: FAIL, INDEX MISMATCH: ${job.integrityProblem}; rewrite it with: npx cvae golden update ${name}`
    : describe(entry, comparison, displayPath(imageDir), staleNotes(job));
  if (comparison.status === 'pass') return entry;
  await writeEvidence(imageDir, actualPng, expectedPng, comparison, entry, job.provenance);
  return { ...entry, ...evidencePaths(imageDir, expectedPng !== undefined, comparison.diff !== undefined, rel) };
}

async function writeEvidence(
  imageDir: string,
  actualPng: Uint8Array,
  expectedPng: Uint8Array | undefined,
  comparison: ImageComparison,
  entry: ReportEntry,
  provenance: GoldenProvenance,
): Promise<void> {
  await writeFileAtomic(path.join(imageDir, 'actual.png'), actualPng);
  if (expectedPng !== undefined) await writeFileAtomic(path.join(imageDir, 'expected.png'), expectedPng);
  if (comparison.diff !== undefined) await writeFileAtomic(path.join(imageDir, 'diff.png'), encodeRgbaPng(comparison.width, comparison.height, comparison.diff));
  const { name, status, width, height, expectedWidth, expectedHeight, diffPixels, diffRatio, maxDelta, thresholds, message } = entry;
  // result.json carries the provenance so acceptGolden can promote actual.png without re-rendering.
  const result: ComparisonResult = { name, status, width, height, expectedWidth, expectedHeight, diffPixels, diffRatio, maxDelta, thresholds, message, provenance };
  await writeJsonAtomic(path.join(imageDir, 'result.json'), result);
}

function evidencePaths(imageDir: string, hasExpected: boolean, hasDiff: boolean, rel: (f: string) => string) {
  return {
    actual: rel(path.join(imageDir, 'actual.png')),
    expected: hasExpected ? rel(path.join(imageDir, 'expected.png')) : null,
    diff: hasDiff ? rel(path.join(imageDir, 'diff.png')) : null,
    result: rel(path.join(imageDir, 'result.json')),
  };
}

/** Why a golden may be out of date: it was made from other weights or another recipe. */
function staleNotes({ name, index, provenance }: CompareJob): string[] {
  const record = index[name];
  if (record === undefined) return [];
  const notes: string[] = [];
  if (!sameWeights(record.checkpoint, provenance.checkpoint)) notes.push(`golden was made from other weights (${record.checkpoint.path})`);
  const recipe = (p: GoldenProvenance) => JSON.stringify([p.kind, p.seed, p.grid, p.indices ?? null, p.count ?? null]);
  if (recipe(record) !== recipe(provenance)) notes.push('golden.config.json recipe differs from the one recorded in goldens.json');
  return notes;
}

function describe(entry: ReportEntry, comparison: ImageComparison, imageDirRel: string, notes: string[]): string {
  const numbers = () =>
    `${entry.diffPixels} of ${entry.width * entry.height} pixels differ (${((entry.diffRatio ?? 0) * 100).toFixed(3)}%, max delta ${entry.maxDelta}/255; ` +
    `allowed ${entry.thresholds.maxDiffPixels} at threshold ${entry.thresholds.threshold})`;
  const suffix = notes.length > 0 ? `; note: ${notes.join('; ')}` : '';
  switch (comparison.status) {
    case 'pass':
      return `golden ${entry.name}: pass, ${numbers()}${suffix}`;
    case 'fail':
      return `golden ${entry.name}: FAIL, ${numbers()}; report: ${imageDirRel}/${suffix}`;
    case 'missing':
      return `golden ${entry.name}: MISSING (no ${entry.name}.png in the goldens directory); look at ${imageDirRel}/actual.png, then run: npx cvae golden update ${entry.name}`;
    case 'size-mismatch':
      return `golden ${entry.name}: SIZE MISMATCH, actual ${entry.width}×${entry.height} vs golden ${entry.expectedWidth}×${entry.expectedHeight}; report: ${imageDirRel}/${suffix}`;
  }
}

/** Relative to the working directory when inside it (short, clickable), else absolute. */
function displayPath(dir: string): string {
  const relative = relativePosix(process.cwd(), dir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
}

function buildReport(comparisons: ReportEntry[], source: EvaluationSource, goldensDir: string, reportDir: string): GoldenReport {
  const counts: Record<ComparisonStatus, number> = { pass: 0, fail: 0, missing: 0, 'size-mismatch': 0 };
  comparisons.forEach((c) => counts[c.status]++);
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    passed: comparisons.every((c) => c.status === 'pass'),
    checkpoint: source.checkpoint,
    backend: source.backend,
    goldensDir: relativePosix(reportDir, goldensDir),
    counts,
    comparisons,
  };
}
