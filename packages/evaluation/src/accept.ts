/**
 * `cvae accept --report DIR`: promotes a report's candidate into its suite without re-rendering, as
 * Playwright accepts from the last run's results — the report of a CI job, downloaded. What it
 * writes is what `cvae check -u` with that checkpoint would write: the goldens that need it (missing,
 * failing, made from other weights or another recipe; the named ones whenever their bytes differ),
 * obsolete goldens removed and, when every image is accepted, the baseline from the candidate's
 * per-image metrics if its verdicts are not all "unchanged". Like -u it leaves suite.json alone (it
 * belongs to people).
 *
 * Before anything is written the report is verified: every file it names has the sha256 report.json
 * records, each image's provenance and the candidate baseline name the report's checkpoint, and that
 * checkpoint's weight files here hash to the report's — the goldens will say they came from it, so
 * it must be the model `cvae check --checkpoint` will load. Writes go through the goldens lock in the
 * crash-safe order of golden-writes.ts (the baseline too: a pending bin, baseline.json, the rename).
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import {
  BASELINE_FILE,
  Baseline,
  CheckpointRef,
  ComparisonResult,
  ComparisonResultSchema,
  FormatError,
  GoldenReport,
  GoldenReportSchema,
  ReportCandidate,
  Suite,
  WEIGHT_FILES,
  parseJsonText,
  sha256Hex,
  workspaceRoot,
} from '@cvae/formats';
import { decodePng, fsyncDirectory, writeFileAtomic, writeJsonAtomic } from '@cvae/images';
import { BaselineValues, CANDIDATE_BASELINE_FILES, SUITE_BASELINE_FILES, readBaseline } from './baseline';
import { evaluateGates } from './gates';
import { readGoldenIndex, readGoldenPng, specOf, thresholdsFor, writeGolden } from './golden-store';
import { GoldenChange, reasonToWrite } from './golden-update';
import { BASELINE_PENDING_FILE, withGoldensLock } from './golden-writes';
import { removeObsoleteGoldens } from './obsolete';
import { sameWeights } from './provenance';
import { LoadedSuite, readSuite, suitesRoot } from './suite';

const REPORT_JSON = 'report.json';
/** Test hook: SIGKILL this process right after the named step of an accept. */
export const ACCEPT_KILL_AT_ENV = 'CVAE_TEST_KILL_ACCEPT_AT';
type AcceptStep = 'goldens' | 'baseline-pending' | 'baseline-index';

/** The report cannot be accepted as it is (missing, edited, another checkpoint, an unknown name): a usage error. */
export class AcceptRefusedError extends Error {
  override name = 'AcceptRefusedError';
}

export interface AcceptOptions {
  /** The report directory (report.json and the files it names), e.g. a downloaded CI artifact. */
  reportDir: string;
  /** Default: suites/<the report's suite name> under the workspace root. */
  suiteDir?: string;
  /** Accept only these goldens (then the baseline is left as it is). Default: every image of the report. */
  names?: string[];
}

export interface AcceptResult {
  suiteDir: string;
  checkpoint: CheckpointRef;
  goldens: GoldenChange[];
  /** 'written': replaced by the candidate's; 'unchanged': every verdict was "unchanged"; 'skipped': names given, or the report measured no gates. */
  baseline: 'written' | 'unchanged' | 'skipped';
  /** Set when suite.json's checkpoint is another path than the accepted one (accept, like -u, leaves suite.json alone). */
  suiteCheckpointPath?: string;
}

interface AcceptedImage {
  name: string;
  png: Uint8Array;
  result: ComparisonResult;
}

export async function acceptReport(options: AcceptOptions): Promise<AcceptResult> {
  const reportDir = path.resolve(options.reportDir);
  const report = await readReport(reportDir);
  const candidate = report.candidate as ReportCandidate;
  const files = await verifiedFiles(reportDir, candidate);
  const loaded = await suiteOf(report, options.suiteDir);
  await verifyCheckpoint(report.checkpoint);
  const names = options.names ?? [];
  const images = acceptedImages(loaded.suite, report, files, names);
  const baseline = names.length === 0 && candidate.baseline !== null ? await candidateBaseline(reportDir, loaded, report.checkpoint) : undefined;
  return withGoldensLock(loaded.dir, `cvae accept ${reportDir}`, async () => {
    const goldens = await writeGoldens(loaded, images, names.length > 0);
    killIfAsked('goldens');
    const written = baseline === undefined ? 'skipped' : await acceptBaseline(loaded, baseline, files);
    const suitePath = loaded.suite.checkpoint.path === report.checkpoint.path ? {} : { suiteCheckpointPath: loaded.suite.checkpoint.path };
    return { suiteDir: loaded.dir, checkpoint: report.checkpoint, goldens, baseline: written, ...suitePath };
  });
}

async function readReport(reportDir: string): Promise<GoldenReport> {
  const file = path.join(reportDir, REPORT_JSON);
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) throw new AcceptRefusedError(`--report ${reportDir}: no ${REPORT_JSON} (expected the directory cvae check wrote, e.g. reports/<suite>)`);
  const report = refuseFormatErrors(() => parseJsonText(GoldenReportSchema, text, file));
  if (report.candidate === undefined) throw new AcceptRefusedError(`${file}: has no candidate section (written before cvae accept); run cvae check again`);
  return report;
}

/** Every file the report names, read once and checked against its recorded sha256. */
async function verifiedFiles(reportDir: string, candidate: ReportCandidate): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const [name, recorded] of Object.entries<string>(candidate.files)) {
    const file = path.join(reportDir, name);
    const bytes = await fs.readFile(file).catch(() => undefined);
    if (bytes === undefined) throw new AcceptRefusedError(`${file}: missing (report.json lists it)`);
    const actual = sha256Hex(bytes);
    if (actual !== recorded) throw new AcceptRefusedError(`${file}: sha256 ${actual.slice(0, 12)}… differs from report.json's ${recorded.slice(0, 12)}… (edited after the check?)`);
    files.set(name, bytes);
  }
  return files;
}

async function suiteOf(report: GoldenReport, suiteDir: string | undefined): Promise<LoadedSuite> {
  const dir = path.resolve(suiteDir ?? path.join(suitesRoot(), report.suite.name));
  return refuseFormatErrors(() => readSuite(dir));
}

/** The report's checkpoint must be here, with the same weights: the goldens will name it as their source. */
async function verifyCheckpoint(checkpoint: CheckpointRef): Promise<void> {
  const dir = path.resolve(workspaceRoot(), checkpoint.path);
  for (const name of WEIGHT_FILES) {
    const file = path.join(dir, name);
    const bytes = await fs.readFile(file).catch(() => undefined);
    if (bytes === undefined) throw new AcceptRefusedError(`checkpoint ${checkpoint.path}: no ${name} here (the report was made from that checkpoint; accept needs the same one)`);
    const actual = sha256Hex(bytes);
    const recorded = checkpoint.weights[name] ?? '(none)';
    if (actual !== recorded) throw new AcceptRefusedError(`checkpoint ${checkpoint.path}: ${name} has sha256 ${actual.slice(0, 12)}…, the report was made from ${recorded.slice(0, 12)}… (another checkpoint)`);
  }
}

/** The images to accept, each checked against the report's checkpoint and suite.json's recipe. */
function acceptedImages(suite: Suite, report: GoldenReport, files: Map<string, Buffer>, names: string[]): AcceptedImage[] {
  const candidate = report.candidate as ReportCandidate;
  const inReport = Object.keys(candidate.images);
  const unknown = names.filter((name) => !inReport.includes(name));
  if (unknown.length > 0) throw new AcceptRefusedError(`unknown golden ${unknown.map((n) => `'${n}'`).join(', ')} (the report has: ${inReport.join(', ')})`);
  const selected = names.length > 0 ? [...new Set(names)] : Object.keys(suite.images);
  return selected.map((name) => acceptedImage(suite, report, files, name));
}

function acceptedImage(suite: Suite, report: GoldenReport, files: Map<string, Buffer>, name: string): AcceptedImage {
  const paths = (report.candidate as ReportCandidate).images[name];
  if (paths === undefined) throw new AcceptRefusedError(`the report has no image ${name} of suite.json (checked with some names only, or before ${name} was added); run cvae check again, or name the goldens to accept`);
  const [png, resultBytes] = [files.get(paths.actual), files.get(paths.result)];
  if (png === undefined || resultBytes === undefined) throw new AcceptRefusedError(`report.json: the files of ${name} have no sha256 in its candidate.files`);
  const result = refuseFormatErrors(() => parseJsonText(ComparisonResultSchema, resultBytes.toString('utf8'), paths.result));
  if (!sameWeights(result.provenance.checkpoint, report.checkpoint)) throw new AcceptRefusedError(`${paths.result}: made from ${result.provenance.checkpoint.path}, not the report's checkpoint`);
  if (suite.images[name] === undefined) throw new AcceptRefusedError(`unknown golden '${name}' (suite.json has: ${Object.keys(suite.images).join(', ')})`);
  if (JSON.stringify(specOf(suite.images[name])) !== JSON.stringify(specOf(result.provenance))) {
    throw new AcceptRefusedError(`${paths.result}: drawn with another recipe than suite.json's ${name} (suite.json changed since the check); run cvae check again`);
  }
  return { name, png, result };
}

/** The candidate's per-image metrics, verified like a suite baseline (sha256, size, the suite's images and seed). */
async function candidateBaseline(reportDir: string, loaded: LoadedSuite, checkpoint: CheckpointRef): Promise<BaselineValues> {
  const values = await readBaseline(reportDir, loaded.suite, CANDIDATE_BASELINE_FILES).catch((error: Error) => {
    throw new AcceptRefusedError(error.message.replace(/; re-create it with cvae check -u$/, '; run cvae check again'));
  });
  if (values.header.file !== CANDIDATE_BASELINE_FILES.data) throw new AcceptRefusedError(`${CANDIDATE_BASELINE_FILES.header}: names ${values.header.file}, expected ${CANDIDATE_BASELINE_FILES.data}`);
  if (!sameWeights(values.header.checkpoint, checkpoint)) throw new AcceptRefusedError(`${CANDIDATE_BASELINE_FILES.header}: measured on ${values.header.checkpoint.path}, not the report's checkpoint`);
  return values;
}

/** As `-u` decides (reasonToWrite), with the report's actual PNGs; without names, obsolete goldens go too. */
async function writeGoldens(loaded: LoadedSuite, images: AcceptedImage[], explicit: boolean): Promise<GoldenChange[]> {
  const index = await readGoldenIndex(loaded.dir);
  const changes: GoldenChange[] = [];
  for (const { name, png, result } of images) {
    const existing = await readGoldenPng(loaded.dir, name);
    const reason = reasonToWrite(existing, png, index[name], result.provenance, explicit, thresholdsFor(loaded.suite, name));
    if (reason === undefined) {
      changes.push({ name, status: 'unchanged', reason: 'matches the golden within its tolerance' });
      continue;
    }
    const { width, height } = decodePng(png);
    await writeGolden(loaded.dir, name, png, { width, height }, result.provenance, 'accept');
    changes.push({ name, status: existing === undefined ? 'created' : 'updated', reason });
  }
  const removed = explicit ? [] : await removeObsoleteGoldens(loaded.dir, loaded.suite);
  return [...changes, ...removed.map((name): GoldenChange => ({ name, status: 'removed', reason: 'obsolete: no image of suite.json produces it' }))];
}

/** As `-u`: the stored baseline stays when every verdict is "unchanged"; otherwise (or when unreadable) the candidate's replaces it. */
async function acceptBaseline(loaded: LoadedSuite, candidate: BaselineValues, files: Map<string, Buffer>): Promise<'written' | 'unchanged'> {
  const stored = await readBaseline(loaded.dir, loaded.suite).catch(() => undefined);
  if (stored !== undefined && evaluateGates(loaded.suite, stored, candidate.values).every((gate) => gate.verdict === 'unchanged')) return 'unchanged';
  const bytes = files.get(CANDIDATE_BASELINE_FILES.data) as Buffer;
  await writeBaselineFiles(loaded.dir, { ...candidate.header, file: SUITE_BASELINE_FILES.data }, bytes);
  return 'written';
}

/** The crash-safe order recoverInterruptedWrites completes: pending bin, baseline.json vouching for it, rename. */
async function writeBaselineFiles(dir: string, header: Baseline, bytes: Uint8Array): Promise<void> {
  const pending = path.join(dir, BASELINE_PENDING_FILE);
  await writeFileAtomic(pending, bytes);
  killIfAsked('baseline-pending');
  await writeJsonAtomic(path.join(dir, BASELINE_FILE), header);
  killIfAsked('baseline-index');
  await fs.rename(pending, path.join(dir, header.file));
  await fsyncDirectory(dir);
}

/** A file of the report or suite that does not parse is the caller's to fix: one line, a usage error. */
function refuseFormatErrors<T>(read: () => T): T {
  try {
    const value = read();
    if (value instanceof Promise) return value.catch(asRefusal) as T;
    return value;
  } catch (error) {
    return asRefusal(error);
  }
}

function asRefusal(error: unknown): never {
  if (error instanceof FormatError) throw new AcceptRefusedError(error.message);
  throw error;
}

function killIfAsked(step: AcceptStep): void {
  if (process.env[ACCEPT_KILL_AT_ENV] === step) process.kill(process.pid, 'SIGKILL');
}
