/**
 * The whole verdict of a suite on a checkpoint: every golden (pixels), every metric gate (paired
 * with the baseline) and the sample-quality gate (hand-set bounds), in one report a CI job can keep — report.json, the images beside it, and a
 * static index.html that opens from a downloaded artifact with no server.
 *
 * Update modes follow jest's snapshots: 'none' (--ci) writes nothing and a missing golden or baseline
 * fails; 'new' (jest's default) writes what is missing; 'all' (-u) also rewrites what changed — goldens
 * that fail, a baseline whose verdicts are not "unchanged" — and removes obsolete goldens. Floors are
 * never rewritten: a model accepted with -u still fails a floor it breaks. In CI mode (jest's --ci,
 * `ci`) an obsolete golden fails too; otherwise it is only reported.
 */
import * as path from 'path';
import { promises as fs } from 'fs';
import {
  CheckpointManifestSchema,
  ComparisonStatus,
  GateClasses,
  GateResult,
  GoldenReport,
  ObsoleteGolden,
  QualityGateResult,
  REPORT_FORMAT_VERSION,
  ReportEntry,
  ReportModel,
  Suite,
  estimate,
  parseJsonText,
} from '@cvae/formats';
import { writeJsonAtomic } from '@cvae/images';
import { Architecture, CVAE, MANIFEST_FILE, architectureDifference, describeArchitecture } from '@cvae/model';
import { BaselineValues, gatedMetrics, measureGateImages, readBaseline, writeBaseline } from './baseline';
import { compareGoldens } from './golden-check';
import { readGoldenPng } from './golden-store';
import { GoldenChange, updateGoldensForModel } from './golden-update';
import { withGoldensLock } from './golden-writes';
import { EvaluationSource, withLoadedModel } from './load';
import type { EvalProgress, PerImageValues } from './metrics';
import { obsoleteEntries } from './obsolete';
import { relativePosix } from './paths';
import { evaluateGates, gateClassesFor } from './gates';
import { measureQualityGate } from './quality-gate';
import type { SampleQualityPhase } from './sample-quality';
import { describeCandidate, writeCandidateBaseline } from './report-candidate';
import { writeStaticReport } from './static-report';
import { METRIC_INFO } from '@cvae/formats';
import { LoadedSuite, defaultSuiteDir, defaultSuiteReportDir, readSuite, suiteCheckpointDir } from './suite';

export const REPORT_FILE = 'report.json';
export type UpdateMode = 'none' | 'new' | 'all';

export interface CheckSuiteOptions {
  /** Default: suites/reference. */
  suiteDir?: string;
  /** Default: the suite's checkpoint. */
  checkpoint?: string;
  /** Default: reports/<suite name>. */
  reportDir?: string;
  /** Default: the suite's dataset (which must still be there, unchanged). */
  dataDir?: string;
  backend?: string;
  /** Threads for the gate metrics, this one included. */
  workers?: number;
  /** Only the goldens, no gates (`cvae golden check`). */
  pixelsOnly?: boolean;
  /** Only these images. */
  names?: string[];
  update?: UpdateMode;
  /**
   * CI mode (jest's --ci): an obsolete golden fails the check. Default: update 'none', the mode --ci
   * implies; `cvae golden check`, which never writes, passes it explicitly.
   */
  ci?: boolean;
  onProgress?: (progress: EvalProgress) => void;
  onQualityProgress?: (phase: SampleQualityPhase, done: number, total: number) => void;
}

export interface SuiteCheck {
  report: GoldenReport;
  reportDir: string;
  /** What the update mode wrote: goldens created, updated or removed, and whether the baseline was (re)written. */
  written: { goldens: GoldenChange[]; baseline: boolean };
}

export async function checkSuite(options: CheckSuiteOptions = {}): Promise<SuiteCheck> {
  const loaded = await readSuite(options.suiteDir ?? defaultSuiteDir());
  const checkpoint = options.checkpoint ?? suiteCheckpointDir(loaded.suite);
  const load = { checkpoint, backend: options.backend, dataDir: options.dataDir, dataset: loaded.suite.dataset, datasetOf: `suite ${loaded.dir}` };
  return withLoadedModel(load, (model, source) => checkSuiteForModel(model, source, loaded, options));
}

export async function checkSuiteForModel(model: CVAE, source: EvaluationSource, loaded: LoadedSuite, options: CheckSuiteOptions = {}): Promise<SuiteCheck> {
  const update = options.update ?? 'none';
  const reportDir = path.resolve(options.reportDir ?? defaultSuiteReportDir(loaded.name));
  const goldens = update === 'none' ? [] : await updateGoldensIfAsked(model, source, loaded, options.names, update);
  const modelReport = describeModels(await suiteArchitecture(loaded), source.architecture);
  const { comparisons, obsolete } = await compareGoldens(model, source, loaded, reportDir, options.names);
  if (modelReport.difference !== null) for (const entry of comparisons) entry.message += `; the golden was made by another architecture (${modelReport.difference})`;
  let gates: GateResult[] = [];
  let baselineWritten = false;
  let quality: QualityGateResult | null = null;
  let candidate: PerImageValues | undefined;
  if (options.pixelsOnly !== true) {
    candidate = await measureGateImages(model, source, loaded.suite, { workers: options.workers, onProgress: options.onProgress });
    ({ gates, written: baselineWritten } = await gatesWithBaseline(loaded, source, candidate, update, gateClassesFor(model, source, loaded.suite, path.join(loaded.dir, 'suite.json'))));
    if (modelReport.pairing === 'images') for (const gate of gates) gate.message += ' (other latent size: other eps draws, paired on images only)';
    quality = await measureQualityGate(model, source, loaded.suite, { workers: options.workers, onProgress: options.onQualityProgress });
  }
  const ci = options.ci ?? update === 'none';
  const report = buildReport({ loaded, source, reportDir, comparisons, gates, quality, model: modelReport, obsolete: obsoleteEntries(obsolete, loaded.dir, ci) });
  report.candidate = await describeCandidate(reportDir, comparisons, await writeCandidateBaseline(reportDir, loaded, source, candidate));
  await writeJsonAtomic(path.join(reportDir, REPORT_FILE), report);
  await writeStaticReport(reportDir, report);
  return { report, reportDir, written: { goldens, baseline: baselineWritten } };
}

/**
 * The suite's model: what its baseline records, else (baselines from before models were data) what the
 * suite's checkpoint's manifest records, else unknown.
 */
async function suiteArchitecture(loaded: LoadedSuite): Promise<Architecture | undefined> {
  const recorded = await readBaseline(loaded.dir, loaded.suite).then((b) => b.header.architecture, () => undefined);
  if (recorded !== undefined) return recorded;
  const manifestFile = path.join(suiteCheckpointDir(loaded.suite), MANIFEST_FILE);
  const text = await fs.readFile(manifestFile, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseJsonText(CheckpointManifestSchema, text, manifestFile).architecture;
  } catch {
    return undefined;
  }
}

/** The candidate against the suite's model; the gates pair on eps draws only when the latent sizes match. */
function describeModels(baseline: Architecture | undefined, candidate: Architecture): ReportModel {
  return {
    candidate: describeArchitecture(candidate),
    baseline: baseline === undefined ? null : describeArchitecture(baseline),
    difference: baseline === undefined ? null : (architectureDifference(baseline, candidate) ?? null),
    pairing: baseline === undefined || baseline.latentDim === candidate.latentDim ? 'eps' : 'images',
  };
}

/** 'new': write the missing goldens; 'all': every missing or changed one, and remove obsolete ones. */
async function updateGoldensIfAsked(model: CVAE, source: EvaluationSource, loaded: LoadedSuite, names: string[] | undefined, update: UpdateMode): Promise<GoldenChange[]> {
  if (update === 'all') return updateGoldensForModel(model, source, loaded, { names, removeObsolete: names === undefined });
  const selected = names ?? Object.keys(loaded.suite.images);
  const missing: string[] = [];
  for (const name of selected) if ((await readGoldenPng(loaded.dir, name)) === undefined) missing.push(name);
  return missing.length === 0 ? [] : updateGoldensForModel(model, source, loaded, { names: missing, removeObsolete: false });
}

/**
 * The gates against the stored baseline. A missing baseline fails every gate unless the mode writes
 * it; under 'all' a baseline the candidate does not match ("unchanged") is replaced by the candidate.
 */
async function gatesWithBaseline(loaded: LoadedSuite, source: EvaluationSource, candidate: PerImageValues, update: UpdateMode, classes?: GateClasses): Promise<{ gates: GateResult[]; written: boolean }> {
  const { suite, dir } = loaded;
  const baseline = await readBaseline(dir, suite).catch((error: unknown) => error as Error);
  const missing = baseline instanceof Error;
  if (!missing) {
    const gates = evaluateGates(suite, baseline, candidate, classes);
    if (update !== 'all' || gates.every((g) => g.verdict === 'unchanged')) return { gates, written: false };
  } else if (update === 'none') {
    return { gates: missingBaselineGates(suite, candidate, baseline, dir), written: false };
  }
  const header = await withGoldensLock(dir, `write the baseline of ${dir}`, () => writeBaseline(dir, suite, source, candidate));
  const values = Object.fromEntries(header.metrics.map((metric) => [metric, candidate[metric] as Float32Array]));
  return { gates: evaluateGates(suite, { header, values } as BaselineValues, candidate, classes), written: true };
}

/** Without a baseline every gate fails, saying how to make one; the candidate's numbers are still reported. */
function missingBaselineGates(suite: Suite, candidate: PerImageValues, problem: Error, dir: string): GateResult[] {
  return gatedMetrics(suite).map((metric) => {
    const info = METRIC_INFO[metric];
    const values = candidate[metric] as Float32Array;
    return {
      metric,
      label: info.label,
      unit: info.unit,
      direction: info.direction,
      baseline: null,
      candidate: estimate(values),
      paired: null,
      unpairedStandardError: null,
      verdict: null,
      margin: suite.gates.metrics[metric]?.margin ?? 0,
      noise: suite.gates.metrics[metric]?.noise ?? 0,
      passed: false,
      message: `${info.label}: no baseline to compare with (${problem.message.split('\n')[0]}); write it with: cvae check -u --suite ${path.relative(process.cwd(), dir) || '.'} (or: nx test evaluation -u)`,
    };
  });
}

interface ReportParts {
  loaded: LoadedSuite;
  source: EvaluationSource;
  reportDir: string;
  comparisons: ReportEntry[];
  gates: GateResult[];
  quality: QualityGateResult | null;
  model: ReportModel;
  obsolete: ObsoleteGolden[];
}

function buildReport({ loaded, source, reportDir, comparisons, gates, quality, model, obsolete }: ReportParts): GoldenReport {
  const counts: Record<ComparisonStatus, number> = { pass: 0, fail: 0, missing: 0, 'size-mismatch': 0 };
  comparisons.forEach((c) => counts[c.status]++);
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    passed: comparisons.every((c) => c.status === 'pass') && gates.every((g) => g.passed) && (quality?.passed ?? true) && obsolete.every((o) => !o.failed),
    suite: { name: loaded.name, dir: relativePosix(reportDir, loaded.dir) },
    checkpoint: source.checkpoint,
    dataset: source.dataset,
    backend: source.backend,
    kernels: source.kernels,
    goldensDir: relativePosix(reportDir, loaded.dir),
    counts,
    comparisons,
    gates,
    model,
    ...(quality === null ? {} : { quality }),
    obsolete,
  };
}
