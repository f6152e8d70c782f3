/**
 * `runs/<name>/test-metrics.json` + `test-metrics.bin`: the per-image test metrics of a run's latest
 * evaluated epoch, so two runs evaluated on the same test images can be compared image by image (a paired
 * difference has a far smaller standard error than the difference of two means). The header describes the
 * binary file (little-endian float32, one row per test image, `columns` per row) and what makes two runs
 * comparable: the test images' fingerprint and the eps stream. Training writes the .bin first and the
 * header last, both atomically, so a header never describes a .bin it does not match (checked by sha256).
 */
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { IsoDate, NonNegativeInt, PositiveInt, Sha256 } from './common';
import { FormatError, readJsonFileIfExists } from './read';

export const TEST_METRICS_FORMAT_VERSION = 1;
export const TEST_METRICS_FILE = 'test-metrics.json';
export const TEST_METRICS_DATA_FILE = 'test-metrics.bin';
/** The per-image metrics of @cvae/model's metric core (ELBO: single-sample Monte Carlo, KL: closed form, MSE of sigmoid(decode(mean))). */
export const PER_IMAGE_METRICS = ['elbo', 'kl', 'mse'] as const;
export type PerImageMetricName = (typeof PER_IMAGE_METRICS)[number];

export const TestMetricsHeaderSchema = z.object({
  formatVersion: z.literal(TEST_METRICS_FORMAT_VERSION),
  epoch: PositiveInt,
  step: NonNegativeInt,
  /** Rows of the .bin: one per test image, in test-set order. */
  count: PositiveInt,
  columns: z.array(z.enum(PER_IMAGE_METRICS)).min(1),
  data: z.object({ file: z.literal(TEST_METRICS_DATA_FILE), encoding: z.literal('float32-le-rows'), sha256: Sha256 }),
  /** Which images: two runs pair only when this fingerprint (sha256 of the binarized pixels and labels) is equal. */
  images: z.object({ split: z.literal('test'), count: PositiveInt, dataDir: z.string().nullable(), sha256: Sha256 }),
  /** The ELBO's eps stream: SeededRandom(deriveSeed(seed, label)), latentDim normals per image in order. */
  eps: z.object({ seed: z.number().int(), label: z.string(), latentDim: PositiveInt }),
  createdAt: IsoDate,
});
export type TestMetricsHeader = z.infer<typeof TestMetricsHeaderSchema>;

export interface TestMetricsFile {
  header: TestMetricsHeader;
  /** Column name → value per image. */
  values: Partial<Record<PerImageMetricName, Float32Array>>;
}

/** Rows (image-major) as the .bin's bytes. */
export function encodeTestMetricRows(columns: Float32Array[]): Uint8Array {
  const count = columns[0]?.length ?? 0;
  const view = new DataView(new ArrayBuffer(count * columns.length * 4));
  for (let row = 0; row < count; row++) columns.forEach((column, c) => view.setFloat32((row * columns.length + c) * 4, column[row], true));
  return new Uint8Array(view.buffer);
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The run's per-image test metrics, validated (header schema, .bin size and sha256), or undefined when the run has none. */
export async function readTestMetricsIfExists(runDir: string): Promise<TestMetricsFile | undefined> {
  const headerFile = path.join(runDir, TEST_METRICS_FILE);
  const header = await readJsonFileIfExists(TestMetricsHeaderSchema, headerFile);
  if (header === undefined) return undefined;
  const dataFile = path.join(runDir, header.data.file);
  const bytes = await fs.readFile(dataFile).catch(() => {
    throw new FormatError(dataFile, undefined, `is missing (named by ${TEST_METRICS_FILE})`);
  });
  const expected = header.count * header.columns.length * 4;
  if (bytes.length !== expected) throw new FormatError(dataFile, undefined, `has ${bytes.length} bytes, the header says ${header.count} rows × ${header.columns.length} float32 = ${expected}`);
  if (sha256Hex(bytes) !== header.data.sha256) throw new FormatError(dataFile, undefined, `does not match the sha256 in ${TEST_METRICS_FILE}`);
  return { header, values: decodeColumns(bytes, header) };
}

function decodeColumns(bytes: Uint8Array, header: TestMetricsHeader): TestMetricsFile['values'] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = header.columns.length;
  const values: TestMetricsFile['values'] = {};
  header.columns.forEach((name, c) => {
    const column = new Float32Array(header.count);
    for (let row = 0; row < header.count; row++) column[row] = view.getFloat32((row * width + c) * 4, true);
    values[name] = column;
  });
  return values;
}
