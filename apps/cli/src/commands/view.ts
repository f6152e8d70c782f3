import { startViewerServer } from '@cvae/viewer';
import { existsSync } from 'fs';
import * as path from 'path';
import { intOption, stringOption } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';

export const viewCommand: Command = {
  path: ['view'],
  summary: 'Serve the viewer (runs, samples, golden review, latent explorer) on 127.0.0.1 until interrupted.',
  options: {
    runs: { type: 'string', value: 'DIR', description: 'runs directory', default: 'runs' },
    goldens: { type: 'string', value: 'DIR', description: 'goldens directory', default: 'packages/evaluation/goldens' },
    report: { type: 'string', value: 'DIR', description: 'golden report directory', default: 'reports/golden' },
    port: { type: 'string', value: 'PORT', description: 'port on 127.0.0.1 (0 picks a free one)', default: '4200' },
    'allow-accept': { type: 'boolean', description: 'let the golden review page overwrite goldens (Accept button)' },
  },
  async run(options, _positionals, io) {
    const runsDir = path.resolve(stringOption(options, 'runs') as string);
    if (!existsSync(runsDir)) throw new UsageError(`--runs ${runsDir}: directory does not exist`);
    const server = await startViewerServer({
      runsDir,
      goldensDir: path.resolve(stringOption(options, 'goldens') as string),
      reportDir: path.resolve(stringOption(options, 'report') as string),
      port: intOption(options, 'port', 0, 65535),
      allowAccept: options['allow-accept'] === true,
    });
    io.stdout(`viewer: ${server.url}/  (runs ${runsDir}${options['allow-accept'] ? ', accept enabled' : ''}; Ctrl-C to stop)\n`);
    await untilInterrupted();
    await server.close();
    return 0;
  },
};

/** Serving is the command's whole job: it ends on SIGINT/SIGTERM with exit code 0. */
function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
