import * as path from 'path';
import { Option } from 'commander';
import { suitesRoot } from '@cvae/evaluation';
import { workspaceLayout } from '@cvae/formats';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import { startViewerServer } from '@cvae/viewer';
import type { CliCommand } from '../command';
import { UsageError } from '../errors';
import { backendOption, integer, isDirectory, workspacePathOption } from '../options';

type ViewOptions = { runs: string; suites: string; reports: string; port: number; host: string; allowedHost: string[]; allowAccept?: boolean; backend?: BackendPreference };

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

export const viewCommand: CliCommand<ViewOptions> = {
  path: ['view'],
  summary: 'Serve the viewer (runs, samples, golden review, latent explorer) on 127.0.0.1 until interrupted.',
  define: (command) =>
    command
      .addOption(workspacePathOption('--runs <DIR>', 'runs directory', workspaceLayout().runs))
      .addOption(workspacePathOption('--suites <DIR>', 'golden suites directory', suitesRoot()))
      .addOption(workspacePathOption('--reports <DIR>', 'reports directory (a suite\'s report is reports/<suite>/)', workspaceLayout().reports))
      .addOption(new Option('--port <PORT>', 'port (0 picks a free one)').argParser(integer(0, 65535)).default(4200))
      .addOption(new Option('--host <ADDRESS>', 'address to bind; anything but loopback exposes your files to the network (prefer ssh -L 4200:127.0.0.1:4200)').default('127.0.0.1'))
      .addOption(new Option('--allowed-host <NAME>', 'also answer requests addressed to NAME (repeatable; e.g. behind a reverse proxy)').argParser(collect).default([]))
      .addOption(new Option('--allow-accept', 'let the golden review page overwrite goldens (Accept button; needs the printed token outside the browser)'))
      .addOption(backendOption()),
  async run(options, _operands, io) {
    const runsDir = path.resolve(options.runs);
    if (!isDirectory(runsDir)) throw new UsageError(`--runs ${runsDir}: directory does not exist`);
    const allowAccept = options.allowAccept === true;
    if (!LOOPBACK.includes(options.host)) {
      io.stderr(`cvae view: warning: binding ${options.host} makes your runs, checkpoints and reports readable from the network; to reach the viewer from another machine, prefer ssh -L ${options.port}:127.0.0.1:${options.port} and the default loopback address\n`);
    }
    const server = await startViewerServer({
      runsDir,
      suitesDir: path.resolve(options.suites),
      reportsDir: path.resolve(options.reports),
      port: options.port,
      host: options.host,
      allowedHosts: options.allowedHost,
      allowAccept,
      backend: options.backend,
    });
    io.stdout(`viewer: ${server.url}/  (runs ${runsDir}${allowAccept ? ', accept enabled' : ''}; Ctrl-C to stop)\n`);
    if (allowAccept) io.stdout(`accept token (header X-CVAE-Accept-Token, for clients other than the page): ${server.acceptToken}\n`);
    await untilInterrupted();
    await server.close();
    return 0;
  },
};

/** Repeatable flag: each occurrence adds a value. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

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
