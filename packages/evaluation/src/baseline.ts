/**
 * A suite's baseline: the per-image metrics of the checkpoint its goldens came from, on the gate
 * images with the gate seed, in `baseline.bin` (float32 little-endian, metric-major) described and
 * hashed by `baseline.json`. A candidate is measured on the same images with the same eps and paired
 * with it image by image.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { BASELINE_FILE, Baseline, BaselineSchema, GATED_METRICS, GatedMetric, Suite, estimate, readJsonFile, sha256Hex } from '@cvae/formats';
import { writeFileAtomic, writeJsonAtomic } from '@cvae/images';
import type { CVAE } from '@cvae/model';
import type { Replicas } from '@cvae/replicas';

import { EvaluationSource, recordedDataset, testSetOf } from './load';
import { EvalProgress, PerImageValues, evaluatePerImage } from './metrics';

export const BASELINE_DATA_FILE = 'baseline.bin';

/** The two files of a baseline: a suite's, or a candidate's beside its report (CANDIDATE_BASELINE_FILES). */
export interface BaselineFiles {
  header: string;
  data: string;
}
export const SUITE_BASELINE_FILES: BaselineFiles = { header: BASELINE_FILE, data: BASELINE_DATA_FILE };
export const CANDIDATE_BASELINE_FILES: BaselineFiles = { header: 'candidate-baseline.json', data: 'candidate-baseline.bin' };

export interface BaselineValues {
  header: Baseline;
  values: Partial<Record<GatedMetric, Float32Array>>;
}

/** The metrics a suite gates, in baseline.bin's order. */
export function gatedMetrics(suite: Suite): GatedMetric[] {
  return GATED_METRICS.filter((metric) => suite.gates.metrics[metric] !== undefined);
}

/** Measures `model` on the suite's gate images (its first N test images) with the suite's seed. */
export async function measureGateImages(
  model: CVAE,
  source: EvaluationSource,
  suite: Suite,
  options: { workers?: number; replicas?: Replicas; onProgress?: (p: EvalProgress) => void } = {},
): Promise<PerImageValues> {
  const set = testSetOf(source, model, suite.gates.images);
  if (set.count < suite.gates.images) throw new RangeError(`the suite gates ${suite.gates.images} test images, but the dataset has ${set.count}`);
  const iwSamples = suite.gates.metrics.iwae === undefined ? 0 : (suite.gates.iwSamples ?? 64);
  return (await evaluatePerImage(model, set, { seed: suite.gates.seed, iwSamples, ...options })).perImage;
}

/** Writes baseline.bin and then baseline.json (which vouches for the bin by sha256). Call inside withGoldensLock. */
export async function writeBaseline(dir: string, suite: Suite, source: EvaluationSource, perImage: PerImageValues, files = SUITE_BASELINE_FILES): Promise<Baseline> {
  const metrics = gatedMetrics(suite);
  const rows = metrics.map((metric) => required(perImage, metric));
  const data = new Float32Array(rows.reduce((n, row) => n + row.length, 0));
  rows.forEach((row, i) => data.set(row, i * suite.gates.images));
  const bytes = new Uint8Array(data.buffer);
  const header: Baseline = {
    formatVersion: 1,
    checkpoint: source.checkpoint,
    dataset: recordedDataset(source),
    backend: source.backend,
    images: suite.gates.images,
    seed: suite.gates.seed,
    ...(suite.gates.metrics.iwae === undefined ? {} : { iwSamples: suite.gates.iwSamples ?? 64 }),
    architecture: source.architecture,
    metrics,
    file: files.data,
    sha256: sha256Hex(bytes),
    summary: Object.fromEntries(metrics.map((metric, i) => [metric, estimate(rows[i])])),
    createdAt: new Date().toISOString(),
  };
  await writeFileAtomic(path.join(dir, files.data), bytes);
  await writeJsonAtomic(path.join(dir, files.header), header);
  return header;
}

/** Reads and verifies the baseline (sha256, size, and that it covers the suite's gates). */
export async function readBaseline(dir: string, suite: Suite, files = SUITE_BASELINE_FILES): Promise<BaselineValues> {
  const headerFile = path.join(dir, files.header);
  const header = await readJsonFile(BaselineSchema, headerFile);
  const dataFile = path.join(dir, header.file);
  const bytes = new Uint8Array(await fs.readFile(dataFile));
  if (sha256Hex(bytes) !== header.sha256) throw new Error(`${dataFile}: sha256 does not match ${headerFile} (changed or corrupted; re-create it with cvae check -u)`);
  if (bytes.byteLength !== header.metrics.length * header.images * 4) throw new Error(`${dataFile}: ${bytes.byteLength} bytes, expected ${header.metrics.length} metrics × ${header.images} images × 4`);
  if (header.images !== suite.gates.images || header.seed !== suite.gates.seed) {
    throw new Error(`${headerFile}: measured on ${header.images} images with seed ${header.seed}, but suite.json gates ${suite.gates.images} with seed ${suite.gates.seed}; re-create it with cvae check -u`);
  }
  const missing = gatedMetrics(suite).filter((metric) => !header.metrics.includes(metric));
  if (missing.length > 0) throw new Error(`${headerFile}: has no ${missing.join(', ')}, which suite.json gates; re-create it with cvae check -u`);
  const data = new Float32Array(bytes.slice().buffer);
  const values = Object.fromEntries(header.metrics.map((metric, i) => [metric, data.subarray(i * header.images, (i + 1) * header.images)]));
  return { header, values };
}

function required(perImage: PerImageValues, metric: GatedMetric): Float32Array {
  const row = perImage[metric];
  if (row === undefined) throw new Error(`no per-image values of ${metric} to store`);
  return row;
}
