/**
 * Worker threads that run the current code whether cvae is built or run from sources.
 *
 * - Built (the CLI, `node dist/...`): `entry.js`, compiled beside its caller.
 * - Sources (jest runs `.ts` through ts-jest): `entry.ts` under tsx, a well-kept TypeScript loader that
 *   maps `@cvae/*` to sources with the one `paths` entry of tsconfig.base.json. Tests thus run the
 *   current sources in every thread, with no build to forget.
 *
 * This file is compiled or not together with every caller (jest maps all `@cvae/*` to sources), so its
 * own extension tells which case applies.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';

/** packages/images/src → the workspace's tsconfig.base.json (only used when running from sources). */
const WORKSPACE_TSCONFIG = path.resolve(__dirname, '..', '..', '..', 'tsconfig.base.json');

/** A worker thread running `entry`: a module path without its extension (`path.join(__dirname, 'worker')`). */
export function startWorker(entry: string, workerData: unknown): Worker {
  // An explicit env: under jest, `process` here is the test's sandboxed copy, which Node's default would bypass.
  const env = { ...process.env };
  if (__filename.endsWith('.js')) return new Worker(`${entry}.js`, { workerData, env });
  return new Worker(`${entry}.ts`, {
    workerData,
    env: { ...env, TSX_TSCONFIG_PATH: WORKSPACE_TSCONFIG },
    execArgv: ['--require', require.resolve('tsx/cjs')],
  });
}
