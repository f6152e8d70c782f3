import * as path from 'path';
import { FormatError, readTestMetricsIfExists, type TestMetricsFile } from '@cvae/formats';
import type { CompareResponse, CompareRow } from '../shared/api-types';
import { HttpError } from './http-utils';
import { comparePerImage } from './paired';
import { RUN_NAME, runNames } from './runs';

const NO_PER_IMAGE_METRICS = 'no per-image metrics (test-metrics.json; written by training since the viewer compares runs)';

/** Every other run of `runsDir` paired image by image with `baseline` (GET /api/compare?baseline=NAME). */
export async function compareWithBaseline(runsDir: string, baseline: string): Promise<CompareResponse> {
  if (!RUN_NAME.test(baseline)) throw new HttpError(400, `baseline must be a run name (letters, digits, '.', '_', '-'), got '${baseline.slice(0, 60)}'`);
  const names = await runNames(runsDir);
  if (!names.includes(baseline)) throw new HttpError(404, `no run named '${baseline}'`);
  const base = await readOrReason(runsDir, baseline);
  const rows = await Promise.all(names.filter((n) => n !== baseline).map((name) => compareRow(runsDir, name, base)));
  return { baseline, baselineEpoch: typeof base === 'string' ? null : base.header.epoch, rows };
}

async function compareRow(runsDir: string, name: string, base: TestMetricsFile | string): Promise<CompareRow> {
  if (typeof base === 'string') return { run: name, status: 'unavailable', reason: `the baseline has ${base}` };
  const candidate = await readOrReason(runsDir, name);
  if (typeof candidate === 'string') return { run: name, status: 'unavailable', reason: candidate };
  const result = comparePerImage(base, candidate);
  return result.paired ? { run: name, status: 'paired', epoch: candidate.header.epoch, metrics: result.metrics, note: result.note } : { run: name, status: 'unavailable', reason: result.reason };
}

/** The run's per-image metrics, or one line saying why there are none to pair. */
async function readOrReason(runsDir: string, name: string): Promise<TestMetricsFile | string> {
  try {
    return (await readTestMetricsIfExists(path.join(runsDir, name))) ?? NO_PER_IMAGE_METRICS;
  } catch (error) {
    if (error instanceof FormatError) return error.message.split(`${runsDir}${path.sep}`).join('');
    throw error;
  }
}
