import { Option } from 'commander';
import { AcceptRefusedError, acceptReport } from '@cvae/evaluation';
import type { CliCommand } from '../command';
import { UsageError } from '../errors';

type AcceptOptions = { report: string; suite?: string };

export const acceptCommand: CliCommand<AcceptOptions> = {
  path: ['accept'],
  summary: 'Accept a report\'s candidate into its suite without re-rendering (e.g. a CI artifact, downloaded): its actual images become the goldens that need it and its per-image metrics the baseline, as cvae check -u with that checkpoint would; the report\'s files and the checkpoint\'s weights are verified first; prints what changed.',
  define: (command) =>
    command
      .argument('[names...]', 'golden names to accept (default: all that changed; the baseline only then)')
      .addOption(new Option('--report <DIR>', 'the report directory cvae check wrote (report.json and its images)').makeOptionMandatory())
      .addOption(new Option('--suite <DIR>', 'suite directory (default: suites/<the report\'s suite> under the workspace root)')),
  async run(options, names, io) {
    const accepted = await acceptReport({ reportDir: options.report, suiteDir: options.suite, names }).catch((error: unknown) => {
      // A report that cannot be accepted as it is (missing, edited, another checkpoint, an unknown name) is the caller's to fix.
      throw error instanceof AcceptRefusedError ? new UsageError(error.message) : error;
    });
    for (const change of accepted.goldens) io.stdout(`${change.status.padEnd(9)} ${change.name}: ${change.reason}\n`);
    io.stdout(`${baselineLine(accepted.baseline, names.length > 0)}\n`);
    if (accepted.suiteCheckpointPath !== undefined) {
      io.stdout(`note: suite.json still names ${accepted.suiteCheckpointPath} (accept, like check -u, leaves it to people); check the accepted model with: cvae check --checkpoint ${accepted.checkpoint.path}\n`);
    }
    return 0;
  },
};

function baselineLine(baseline: 'written' | 'unchanged' | 'skipped', named: boolean): string {
  if (baseline === 'written') return 'written   baseline: the candidate\'s per-image metrics (its verdicts were not all "unchanged")';
  if (baseline === 'unchanged') return 'unchanged baseline: every verdict "unchanged"';
  return named ? 'unchanged baseline: only named goldens accepted' : 'unchanged baseline: the report measured no gates (pixels only)';
}
