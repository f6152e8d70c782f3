/**
 * The candidate's side of a report, for `cvae accept`: every golden's rendered PNG and result.json
 * (golden-check.ts writes them), and the candidate's per-image gate metrics as `candidate-baseline.json`
 * + `.bin` (a suite baseline's shape), each file named in report.json with its sha256 — so a report
 * downloaded from CI can be promoted into the suite without re-rendering, and an edited file is refused.
 */
import { sha256Hex } from '@cvae/formats';
import { promises as fs } from 'fs';
import * as path from 'path';
import type { ReportCandidate, ReportEntry } from '@cvae/formats';
import { CANDIDATE_BASELINE_FILES, writeBaseline } from './baseline';

import type { EvaluationSource } from './load';
import type { PerImageValues } from './metrics';
import type { LoadedSuite } from './suite';

/** Writes the candidate's gate metrics beside the report; without them (pixels only) removes an earlier run's. */
export async function writeCandidateBaseline(reportDir: string, loaded: LoadedSuite, source: EvaluationSource, candidate: PerImageValues | undefined): Promise<boolean> {
  if (candidate === undefined) {
    for (const file of Object.values(CANDIDATE_BASELINE_FILES)) await fs.rm(path.join(reportDir, file), { force: true });
    return false;
  }
  await fs.mkdir(reportDir, { recursive: true });
  await writeBaseline(reportDir, loaded.suite, source, candidate, CANDIDATE_BASELINE_FILES);
  return true;
}

/** report.json's `candidate`: what accept reads, hashed as it is now on disk. */
export async function describeCandidate(reportDir: string, comparisons: ReportEntry[], withBaseline: boolean): Promise<ReportCandidate> {
  const images = Object.fromEntries(comparisons.map((c) => [c.name, { actual: `${c.name}/actual.png`, result: `${c.name}/result.json` }]));
  const baselineFiles = withBaseline ? [CANDIDATE_BASELINE_FILES.header, CANDIDATE_BASELINE_FILES.data] : [];
  const paths = [...Object.values(images).flatMap((image) => [image.actual, image.result]), ...baselineFiles];
  const files = Object.fromEntries(await Promise.all(paths.map(async (file) => [file, sha256Hex(await fs.readFile(path.join(reportDir, file)))] as const)));
  return { images, baseline: withBaseline ? CANDIDATE_BASELINE_FILES.header : null, files };
}
