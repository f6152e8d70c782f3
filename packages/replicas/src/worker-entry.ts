/**
 * Where a replica worker's code comes from (and, by the same rule, its task modules'): @cvae/images'
 * startWorker runs the compiled `dist/worker.js` when built, and `worker.ts` under tsx from sources.
 * A task module is therefore named without its extension (`path.join(__dirname, 'gradient-task')`):
 * Node's resolution finds `gradient-task.js` next to compiled code and, under tsx, `gradient-task.ts`.
 */
import * as path from 'path';
import type { Worker } from 'worker_threads';
import { startWorker } from '@cvae/images';
import type { WorkerInit } from './protocol';

export function spawnReplicaWorker(init: WorkerInit): Worker {
  return startWorker(path.join(__dirname, 'worker'), init);
}
