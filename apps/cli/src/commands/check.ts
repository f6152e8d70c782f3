import * as path from 'path';
import { Option } from 'commander';
import { describeIdentity } from '@cvae/dataset';
import { STATIC_REPORT_FILE, UpdateMode, checkSuite } from '@cvae/evaluation';
import type { GoldenReport, ImageSetQuality, QualityGateResult, SetQualityBounds } from '@cvae/formats';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand, Io } from '../command';
import { backendOption, checkpointOption, dataDirOption, jsonOption, optionalCheckpoint, suiteOption, workersOption } from '../options';
import { progressPrinter } from './eval';
import { qualityProgress } from './eval-quality';

type CheckOptions = { suite: string; checkpoint?: string; report?: string; dataDir?: string; backend?: BackendPreference; workers: number; json?: boolean; update?: boolean; ci?: boolean };

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
      .addOption(new Option('--ci', 'like jest --ci (the default when CI is set): write nothing; a missing golden or baseline fails').conflicts('update'))
      .addOption(jsonOption()),
  async run(options, _operands, io) {
    const checkpoint = optionalCheckpoint(options.checkpoint);
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
    return report.passed ? 0 : 1;
  },
};

/** jest's rules: -u rewrites, --ci (or CI set) writes nothing, otherwise only what is missing is written. */
export function updateMode(options: { update?: boolean; ci?: boolean }, env: NodeJS.ProcessEnv = process.env): UpdateMode {
  if (options.update === true) return 'all';
  if (options.ci === true || (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0')) return 'none';
  return 'new';
}

/** The quality gate in a few lines: its numbers against the bounds, then each bound broken. */
export function qualityLines(quality: QualityGateResult): string[] {
  const { result, bounds } = quality;
  const set = (name: string, q: ImageSetQuality, b: SetQualityBounds = {}) =>
    `${name}: FID ${q.fid.toFixed(1)}${b.maxFid === undefined ? '' : ` (≤ ${b.maxFid})`}, smallest class ${q.minClass} ${(100 * q.minClassShare).toFixed(1)}%${b.minClassShare === undefined ? '' : ` (≥ ${(100 * b.minClassShare).toFixed(1)}%)`}, entropy ${q.entropy.toFixed(3)}, confidence ${q.meanConfidence.toFixed(3)}`;
  const head = `quality ${quality.passed ? 'pass' : 'FAIL'}: classifier ${result.classifier.path}, ${result.samples.images.toLocaleString('en-US')} prior samples (seed ${result.seed}), FID against ${result.testImages.toLocaleString('en-US')} test images`;
  return [head, `  ${set('prior samples', result.samples, bounds.samples)}`, `  ${set('reconstructions', result.reconstructions, bounds.reconstructions)}`, ...quality.violations.map((v) => `  FAIL ${v}`)];
}

/** --report DIR: where the report goes (default: reports/<suite name>). */
export function reportOption(): Option {
  return new Option('--report <DIR>', 'report directory (default: reports/<suite name> under the workspace root)');
}

/** One line per golden and per gate, then the verdict and where the report is. */
export function printReport(report: GoldenReport, reportDir: string, io: Io): void {
  io.stdout(`suite ${report.suite.name}: checkpoint ${report.checkpoint.path}, dataset ${describeIdentity(report.dataset)}, ${report.backend} (${report.kernels})\n`);
  for (const entry of report.comparisons) io.stdout(`${entry.message}\n`);
  for (const gate of report.gates) io.stdout(`gate ${gate.passed ? 'pass' : 'FAIL'}: ${gate.message}\n`);
  if (report.quality) for (const line of qualityLines(report.quality)) io.stdout(`${line}\n`);
  if (report.obsolete.length > 0) io.stdout(`obsolete goldens (no image of suite.json produces them; cvae golden update removes them): ${report.obsolete.join(', ')}\n`);
  io.stdout(`${report.passed ? 'PASS' : 'FAIL'} — report: ${path.join(reportDir, STATIC_REPORT_FILE)}\n`);
}
