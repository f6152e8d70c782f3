/**
 * The pixel part of a suite check: render every image of the suite, compare each with its golden
 * (pixelmatch, the suite's per-image tolerance) and write the evidence a reviewer needs beside the
 * report: `<name>/expected.png`, `actual.png` and `result.json` (which carries the provenance Accept
 * records) always — `cvae accept` promotes any of them without re-rendering —, and for anything but
 * a pass `diff.png`.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { ComparisonResult, GoldenThresholds, ReportEntry } from '@cvae/formats';
import { decodePng, encodeRgbaPng, writeFileAtomic, writeJsonAtomic } from '@cvae/images';
import { type CVAE } from '@cvae/model';
import { compareImages, ImageComparison } from './compare';
import { renderGoldens } from './golden-render';
import { GoldenIndex, GoldenProvenance, readGoldenIndex, readGoldenPng } from './golden-store';
import { verifyGoldens, whileNoGoldenWrite } from './golden-writes';
import type { EvaluationSource } from './load';
import { obsoleteGoldens } from './obsolete';
import { relativePosix } from './paths';
import { sameWeights } from './provenance';
import type { LoadedSuite } from './suite';

export type { ReportEntry };

export interface GoldenComparisons {
  comparisons: ReportEntry[];
  /** Golden files or index entries no image of the suite produces any more. */
  obsolete: string[];
}

/** Renders the suite's images (or `names`), compares them with the goldens and writes the per-image evidence under `reportDir`. */
export async function compareGoldens(model: CVAE, source: EvaluationSource, loaded: LoadedSuite, reportDir: string, names?: string[]): Promise<GoldenComparisons> {
  const goldensDir = loaded.dir;
  const rendered = renderGoldens(model, source, loaded.suite, names);
  // The goldens as one consistent state: no writer is halfway through a PNG and its index entry.
  const { index, pngs, integrity, obsolete } = await whileNoGoldenWrite(goldensDir, `golden check (reading ${goldensDir})`, async () => ({
    index: await readGoldenIndex(goldensDir),
    pngs: new Map(await Promise.all(rendered.map(async ({ name }) => [name, await readGoldenPng(goldensDir, name)] as const))),
    integrity: new Map((await verifyGoldens(goldensDir)).map((g) => [g.name, g])),
    obsolete: await obsoleteGoldens(goldensDir, loaded.suite),
  }));
  const comparisons: ReportEntry[] = [];
  for (const { name, png, provenance, thresholds } of rendered) {
    const problem = integrity.get(name)?.status === 'stale' ? integrity.get(name)?.problem : undefined;
    comparisons.push(await compareAndReport({ name, actualPng: png, expectedPng: pngs.get(name), integrityProblem: problem, provenance, thresholds, reportDir, index }));
  }
  return { comparisons, obsolete };
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
  reportDir: string;
  index: GoldenIndex;
}

/**
 * Compares one rendered PNG with its golden and writes `<reportDir>/<name>/`: expected.png (a copy of
 * the golden, so the report stands on its own), actual.png and result.json and, on anything but a
 * pass, diff.png (if comparable). A pass's entry names only expected.png (its actual is the same
 * picture, for accept alone). Evidence of an earlier run is removed first.
 */
export async function compareAndReport(job: CompareJob): Promise<ReportEntry> {
  const { name, actualPng, expectedPng, thresholds, reportDir } = job;
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
    expected: null,
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
  if (expectedPng !== undefined) await writeFileAtomic(path.join(imageDir, 'expected.png'), expectedPng);
  const expected = expectedPng === undefined ? null : rel(path.join(imageDir, 'expected.png'));
  await writeEvidence(imageDir, actualPng, comparison, entry, job.provenance);
  if (comparison.status === 'pass') return { ...entry, expected };
  return { ...entry, expected, ...evidencePaths(imageDir, comparison.diff !== undefined, rel) };
}

async function writeEvidence(imageDir: string, actualPng: Uint8Array, comparison: ImageComparison, entry: ReportEntry, provenance: GoldenProvenance): Promise<void> {
  await writeFileAtomic(path.join(imageDir, 'actual.png'), actualPng);
  if (comparison.status !== 'pass' && comparison.diff !== undefined) await writeFileAtomic(path.join(imageDir, 'diff.png'), encodeRgbaPng(comparison.width, comparison.height, comparison.diff));
  const { name, status, width, height, expectedWidth, expectedHeight, diffPixels, diffRatio, maxDelta, thresholds, message } = entry;
  // result.json carries the provenance so acceptGolden can promote actual.png without re-rendering.
  const result: ComparisonResult = { name, status, width, height, expectedWidth, expectedHeight, diffPixels, diffRatio, maxDelta, thresholds, message, provenance };
  await writeJsonAtomic(path.join(imageDir, 'result.json'), result);
}

function evidencePaths(imageDir: string, hasDiff: boolean, rel: (f: string) => string) {
  return {
    actual: rel(path.join(imageDir, 'actual.png')),
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
      return `golden ${entry.name}: SIZE MISMATCH, ${comparison.mismatch ?? `actual ${entry.width}×${entry.height} vs golden ${entry.expectedWidth}×${entry.expectedHeight}`}; report: ${imageDirRel}/${suffix}`;
  }
}

/** Relative to the working directory when inside it (short, clickable), else absolute. */
function displayPath(dir: string): string {
  const relative = relativePosix(process.cwd(), dir);
  return relative.startsWith('..') || path.isAbsolute(relative) ? dir : relative;
}
