import * as path from 'path';
import { isCI } from 'ci-info';
import { Option } from 'commander';
import { describeIdentity } from '@cvae/dataset';
import { STATIC_REPORT_FILE, UpdateMode, checkSuite, perClassLines } from '@cvae/evaluation';
import type { GoldenReport, ImageSetQuality, QualityGateResult, SetQualityBounds } from '@cvae/formats';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand, Io } from '../command';
import { UsageError } from '../errors';
import { backendOption, checkpointOption, dataDirOption, jsonOption, optionalCheckpoint, suiteOption, workersOption } from '../options';
import { progressPrinter } from './eval';
import { qualityProgress } from './eval-quality';
import { CiOutputOptions, junitOption, summaryOption, writeCiOutputs } from './check-outputs';

type CheckOptions = { suite: string; checkpoint?: string; report?: string; dataDir?: string; backend?: BackendPreference; workers: number; json?: boolean; update?: boolean; ci?: boolean } & CiOutputOptions;

export const checkCommand: CliCommand<CheckOptions> = {
  path: ['check'],
  summary: 'The whole verdict of a suite on a checkpoint: every golden and every metric gate (paired with the baseline); a static HTML report; exit 0 pass, 1 fail, 2 usage.',
  define: (command) =>
    command
      .addOption(suiteOption())
      .addOption(checkpointOption({ suiteDefault: true }))
      .addOption(reportOption())
      .addOption(dataDirOption('default: the suite\'s dataset'))
      .addOption(backendOption())
      .addOption(workersOption('measuring the gates'))
      .addOption(new Option('-u, --update', 'like jest -u: rewrite changed and missing goldens, remove obsolete ones, and re-measure the baseline when the metrics changed (accepts this checkpoint)'))
      .addOption(ciOption('write nothing; a missing golden or baseline, or an obsolete golden, fails'))
      .addOption(noCiOption('write missing goldens and the baseline; obsolete goldens are only reported'))
      .addOption(jsonOption())
      .addOption(junitOption())
      .addOption(summaryOption()),
  async run(options, _operands, io) {
    // Checked here, not with commander's .conflicts(): that would refuse `--no-ci -u` too (one attribute, two flags).
    if (options.ci === true && options.update === true) throw new UsageError("option '--ci' cannot be used with option '-u, --update'");
    const checkpoint = optionalCheckpoint(options.checkpoint);
    const started = performance.now();
    const { report, reportDir, written } = await checkSuite({
      suiteDir: options.suite,
      checkpoint,
      reportDir: options.report,
      dataDir: options.dataDir,
      backend: options.backend,
      workers: options.workers,
      update: updateMode(options),
      onProgress: progressPrinter(io),
      onQualityProgress: qualityProgress(io),
    });
    for (const change of written.goldens.filter((c) => c.status !== 'unchanged')) io.stderr(`cvae check: golden ${change.name} ${change.status} (${change.reason})\n`);
    if (written.baseline) io.stderr(`cvae check: baseline of ${options.suite} written from ${report.checkpoint.path}\n`);
    if (options.json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else printReport(report, reportDir, io);
    await writeCiOutputs(options, { report, reportDir, seconds: (performance.now() - started) / 1000 }, io);
    return report.passed ? 0 : 1;
  },
};

/** jest's rules: -u rewrites, CI mode writes nothing, otherwise only what is missing is written. */
export function updateMode(options: { update?: boolean; ci?: boolean }): UpdateMode {
  if (options.update === true) return 'all';
  return ciMode(options) ? 'none' : 'new';
}

/**
 * CI mode, decided as jest decides its --ci: the flag (--ci / --no-ci), else ci-info's isCI — CI set
 * and not "false", or the variables of a known CI service. ci-info reads the environment once, at import.
 */
export function ciMode(options: { ci?: boolean }): boolean {
  return options.ci ?? isCI;
}

/** --ci: what CI mode does on this command. */
export function ciOption(inCi: string): Option {
  return new Option('--ci', `like jest --ci (the default when the environment is a CI: CI set and not "false"): ${inCi}`);
}

/** --no-ci: what this command does outside CI mode. */
export function noCiOption(outsideCi: string): Option {
  return new Option('--no-ci', `not CI mode, even when CI is set: ${outsideCi}`);
}

/** The quality gate in a few lines: its numbers against the bounds, then each bound broken. */
export function qualityLines(quality: QualityGateResult): string[] {
  const { result, bounds } = quality;
  const set = (name: string, q: ImageSetQuality, b: SetQualityBounds = {}) =>
    `${name}: FID ${q.fid.toFixed(1)}${b.maxFid === undefined ? '' : ` (≤ ${b.maxFid})`}, smallest class ${q.minClass} ${(100 * q.minClassShare).toFixed(1)}%${b.minClassShare === undefined ? '' : ` (≥ ${(100 * b.minClassShare).toFixed(1)}%)`}, entropy ${q.entropy.toFixed(3)}, confidence ${q.meanConfidence.toFixed(3)}${distanceText(q, b)}`;
  const head = `quality ${quality.passed ? 'pass' : 'FAIL'}: classifier ${result.classifier.path}, ${result.samples.images.toLocaleString('en-US')} prior samples (seed ${result.seed}), FID against ${result.testImages.toLocaleString('en-US')} test images`;
  return [head, `  ${set('prior samples', result.samples, bounds.samples)}`, `  ${set('reconstructions', result.reconstructions, bounds.reconstructions)}`, ...quality.violations.map((v) => `  FAIL ${v}`)];
}

/** KID and coverage (and density) with their bounds, when measured (results before them have none). */
function distanceText(q: ImageSetQuality, b: SetQualityBounds): string {
  const bound = (value: number | undefined, sign: string) => (value === undefined ? '' : ` (${sign} ${value})`);
  const kid = q.kid === undefined ? '' : `, KID ${q.kid.toFixed(4)} ± ${(q.kidStd ?? 0).toFixed(4)}${bound(b.maxKid, '≤')}`;
  const density = q.density === undefined ? '' : `, density ${q.density.toFixed(3)}${bound(b.minDensity, '≥')}`;
  const coverage = q.coverage === undefined ? '' : `, coverage ${q.coverage.toFixed(3)}${bound(b.minCoverage, '≥')}`;
  return kid + density + coverage;
}

/** --report DIR: where the report goes (default: reports/<suite name>). */
export function reportOption(): Option {
  return new Option('--report <DIR>', 'report directory (default: reports/<suite name> under the workspace root)');
}

/** One line per golden and per gate, then the verdict and where the report is. */
export function printReport(report: GoldenReport, reportDir: string, io: Io): void {
  io.stdout(`suite ${report.suite.name}: checkpoint ${report.checkpoint.path}, dataset ${describeIdentity(report.dataset)}, ${report.backend} (${report.kernels})\n`);
  const model = report.model;
  if (model?.difference) {
    const pairing = model.pairing === 'eps' ? 'gates paired on the same eps draws' : 'gates paired on images only (other latent size)';
    io.stdout(`model: another architecture than the suite's (${model.difference}); ${pairing}\n  suite:     ${model.baseline}\n  candidate: ${model.candidate}\n`);
  }
  for (const entry of report.comparisons) io.stdout(`${entry.message}\n`);
  for (const gate of report.gates) io.stdout([`gate ${gate.passed ? 'pass' : 'FAIL'}: ${gate.message}`, ...perClassLines(gate)].map((l) => `${l}\n`).join(''));
  if (report.quality) for (const line of qualityLines(report.quality)) io.stdout(`${line}\n`);
  else if (report.gates.length > 0) io.stdout('sample quality: skipped — the suite has no quality gate (cvae golden init adds one when a classifier of its dataset exists)\n');
  for (const obsolete of report.obsolete) io.stdout(`${obsolete.message}\n`);
  io.stdout(`${report.passed ? 'PASS' : 'FAIL'} — report: ${path.join(reportDir, STATIC_REPORT_FILE)}\n`);
}
