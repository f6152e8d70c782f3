import { mkdtempSync, promises as fs } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseFormat } from './read';
import { TrainingProgressSchema } from './progress';
import { TEST_METRICS_DATA_FILE, TEST_METRICS_FILE, TestMetricsHeader, encodeTestMetricRows, readTestMetricsIfExists, sha256Hex } from './test-metrics';

async function writeRunFiles(dir: string, columns: Float32Array[], patch: Partial<TestMetricsHeader> = {}): Promise<void> {
  const bytes = encodeTestMetricRows(columns);
  const header: TestMetricsHeader = {
    formatVersion: 1,
    epoch: 2,
    step: 40,
    count: columns[0].length,
    columns: ['elbo', 'kl', 'mse'].slice(0, columns.length) as TestMetricsHeader['columns'],
    data: { file: TEST_METRICS_DATA_FILE, encoding: 'float32-le-rows', sha256: sha256Hex(bytes) },
    images: { split: 'test', count: columns[0].length, dataDir: null, sha256: 'b'.repeat(64) },
    eps: { seed: 0, label: 'elbo-eps', latentDim: 2 },
    createdAt: '2026-01-01T00:00:00.000Z',
    ...patch,
  };
  await fs.writeFile(path.join(dir, TEST_METRICS_DATA_FILE), bytes);
  await fs.writeFile(path.join(dir, TEST_METRICS_FILE), JSON.stringify(header));
}

describe('test-metrics.json + .bin', () => {
  const dir = () => mkdtempSync(path.join(tmpdir(), 'cvae-test-metrics-'));
  const elbo = Float32Array.from([-100.5, -120.25, -90]);
  const kl = Float32Array.from([3, 4, 5]);
  const mse = Float32Array.from([0.01, 0.02, 0.03]);

  it('round-trips rows of float32 columns', async () => {
    const run = dir();
    await writeRunFiles(run, [elbo, kl, mse]);
    const read = await readTestMetricsIfExists(run);
    expect(read?.header.count).toBe(3);
    expect(read?.values.elbo).toEqual(elbo);
    expect(read?.values.kl).toEqual(kl);
    expect(read?.values.mse).toEqual(mse);
  });

  it('is undefined for a run without it', async () => {
    expect(await readTestMetricsIfExists(dir())).toBeUndefined();
  });

  it('refuses a .bin of the wrong size or content, in one line naming the file', async () => {
    const run = dir();
    await writeRunFiles(run, [elbo, kl, mse], { count: 4 });
    await expect(readTestMetricsIfExists(run)).rejects.toThrow(/test-metrics\.bin: has 36 bytes, the header says 4 rows × 3 float32 = 48$/);
    await writeRunFiles(run, [elbo, kl, mse], { data: { file: TEST_METRICS_DATA_FILE, encoding: 'float32-le-rows', sha256: 'c'.repeat(64) } });
    await expect(readTestMetricsIfExists(run)).rejects.toThrow(/test-metrics\.bin: does not match the sha256 in test-metrics\.json$/);
  });

  it('refuses a header naming another data file (no path outside the run)', async () => {
    const run = dir();
    await writeRunFiles(run, [elbo], { data: { file: '../x.bin' as typeof TEST_METRICS_DATA_FILE, encoding: 'float32-le-rows', sha256: 'c'.repeat(64) } });
    await expect(readTestMetricsIfExists(run)).rejects.toThrow(/test-metrics\.json: data\.file: /);
  });
});

describe('progress.json', () => {
  const progress = {
    formatVersion: 1, phase: 'training', epoch: 2, epochs: 5, batch: 10, batches: 100, evaluated: 0, testImages: 10000,
    imagesPerSecond: 900.5, etaSeconds: 3.2, runningLoss: 180.1, updatedAt: '2026-01-01T00:00:00.000Z',
  };

  it('validates what training writes', () => {
    expect(parseFormat(TrainingProgressSchema, progress, 'progress.json')).toEqual(progress);
  });

  it('names a bad field', () => {
    expect(() => parseFormat(TrainingProgressSchema, { ...progress, phase: 'sleeping' }, 'progress.json')).toThrow(/^progress\.json: phase: /);
    expect(() => parseFormat(TrainingProgressSchema, { ...progress, updatedAt: 'yesterday' }, 'progress.json')).toThrow(/^progress\.json: updatedAt: /);
  });
});
