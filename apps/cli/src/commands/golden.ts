import { checkGoldens, updateGoldens } from '@cvae/evaluation';
import { stringOption } from '../args';
import type { Command } from '../command';
import { BACKEND_OPTION, backendOption } from './backend-option';
import { checkpointOption } from './eval';

const checkpointFlag = { type: 'string', value: 'DIR', description: 'checkpoint directory (default: runs/reference/checkpoints/last)' } as const;

export const goldenUpdateCommand: Command = {
  path: ['golden', 'update'],
  summary: 'Re-render the golden images and rewrite the named ones (default: those missing or changed); prints what changed.',
  options: { checkpoint: checkpointFlag, backend: BACKEND_OPTION },
  positionals: { name: 'names', description: 'golden names from packages/evaluation/goldens/golden.config.json (default: all)' },
  async run(options, names, io) {
    const changes = await updateGoldens({ names, checkpoint: checkpointOption(options), backend: backendOption(options) });
    for (const change of changes) io.stdout(`${change.status.padEnd(9)} ${change.name}: ${change.reason}\n`);
    return 0;
  },
};

export const goldenCheckCommand: Command = {
  path: ['golden', 'check'],
  summary: 'Compare freshly rendered images with the goldens; writes reports/golden/report.json and exits 1 on any mismatch.',
  options: {
    checkpoint: checkpointFlag,
    report: { type: 'string', value: 'DIR', description: 'report directory (default: reports/golden)' },
    backend: BACKEND_OPTION,
  },
  async run(options, _positionals, io) {
    const report = await checkGoldens({ checkpoint: checkpointOption(options), reportDir: stringOption(options, 'report'), backend: backendOption(options) });
    for (const entry of report.comparisons) io.stdout(`${entry.message}\n`);
    return report.passed ? 0 : 1;
  },
};
