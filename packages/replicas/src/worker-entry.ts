/**
 * Where a replica worker's code comes from (and, by the same rule, its task modules').
 *
 * - Built package (the CLI, `node dist/...`): this file is `dist/worker-entry.js`, and the worker runs
 *   the compiled `dist/worker.js` beside it; task modules are `.js` files beside their callers.
 * - Sources (jest runs `.ts` through ts-jest): the worker runs `worker.ts` under tsx, a well-kept
 *   TypeScript loader, which maps `@cvae/*` to sources with the one `paths` entry of
 *   tsconfig.base.json. Tests thus run the current sources in every thread, with no build to forget.
 *
 * A task module is therefore named without its extension (`path.join(__dirname, 'gradient-task')`):
 * Node's resolution finds `gradient-task.js` next to compiled code and, under tsx, `gradient-task.ts`.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { WorkerInit } from './protocol';

/** packages/replicas/src → the workspace's tsconfig.base.json (only used when running from sources). */
const WORKSPACE_TSCONFIG = path.resolve(__dirname, '..', '..', '..', 'tsconfig.base.json');

export function spawnReplicaWorker(init: WorkerInit): Worker {
  // An explicit env: under jest, `process` here is the test's sandboxed copy, which Node's default would bypass.
  const env = { ...process.env };
  if (__filename.endsWith('.js')) return new Worker(path.join(__dirname, 'worker.js'), { workerData: init, env });
  const tsx = require.resolve('tsx/cjs');
  return new Worker(path.join(__dirname, 'worker.ts'), { workerData: init, env: { ...env, TSX_TSCONFIG_PATH: WORKSPACE_TSCONFIG }, execArgv: ['--require', tsx] });
}
