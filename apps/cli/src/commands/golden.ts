import { checkGoldens, defaultReportDir, updateGoldens } from '@cvae/evaluation';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand } from '../command';
import { backendOption, checkpointOption, existingCheckpoint, workspacePathOption } from '../options';

type GoldenOptions = { checkpoint: string; backend?: BackendPreference };

export const goldenUpdateCommand: CliCommand<GoldenOptions> = {
  path: ['golden', 'update'],
  summary: 'Re-render the golden images and rewrite the named ones (default: those missing or changed); prints what changed.',
  define: (command) =>
    command
      .argument('[names...]', 'golden names from packages/evaluation/goldens/golden.config.json (default: all)')
      .addOption(checkpointOption())
      .addOption(backendOption()),
  async run(options, names, io) {
    const changes = await updateGoldens({ names, checkpoint: existingCheckpoint(options.checkpoint), backend: options.backend });
    for (const change of changes) io.stdout(`${change.status.padEnd(9)} ${change.name}: ${change.reason}\n`);
    return 0;
  },
};

export const goldenCheckCommand: CliCommand<GoldenOptions & { report: string }> = {
  path: ['golden', 'check'],
  summary: 'Compare freshly rendered images with the goldens; writes the report (reports/golden/report.json) and exits 1 on any mismatch.',
  define: (command) =>
    command
      .addOption(checkpointOption())
      .addOption(workspacePathOption('--report <DIR>', 'report directory', defaultReportDir()))
      .addOption(backendOption()),
  async run(options, _operands, io) {
    const report = await checkGoldens({ checkpoint: existingCheckpoint(options.checkpoint), reportDir: options.report, backend: options.backend });
    for (const entry of report.comparisons) io.stdout(`${entry.message}\n`);
    return report.passed ? 0 : 1;
  },
};
