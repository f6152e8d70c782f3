/**
 * Where a replica worker's code comes from (and, by the same rule, its task module's).
 *
 * - Built package (the CLI, `node dist/...`): this file is `dist/parallel/worker-entry.js`, and the
 *   worker runs the compiled `dist/parallel/worker.js` next to it.
 * - Sources (jest via ts-jest, which never writes JS to disk): there is no worker.js, so the worker
 *   starts from a small eval'd bootstrap that transpiles `.ts` on require with the workspace's own
 *   `typescript` (a devDependency already; no ts-node) and maps `@cvae/*` to `packages/* /src`, as
 *   jest.preset.js does. Tests thus always run the current sources, with no build step to forget or
 *   to go stale, and the worker executes exactly the code the main thread does.
 *
 * A task module is therefore named without its extension (`path.join(__dirname, 'gradient-task')`):
 * Node's resolution finds `gradient-task.js` next to compiled code and, through the bootstrap's `.ts`
 * loader, `gradient-task.ts` next to sources.
 */
import { existsSync } from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { WorkerInit } from './protocol';

/** packages/model/src/parallel → packages/ */
const PACKAGES_DIR = path.resolve(__dirname, '..', '..', '..');

export type WorkerCodeSource = 'compiled' | 'sources';

export function workerCodeSource(): WorkerCodeSource {
  return __filename.endsWith('.js') && existsSync(path.join(__dirname, 'worker.js')) ? 'compiled' : 'sources';
}

export function spawnReplicaWorker(init: WorkerInit): Worker {
  // An explicit env: under jest, `process` here is the test's sandboxed copy, which Node's default would bypass.
  const options = { workerData: init, env: { ...process.env } };
  if (workerCodeSource() === 'compiled') return new Worker(path.join(__dirname, 'worker.js'), options);
  return new Worker(sourceBootstrap(path.join(__dirname, 'worker.ts')), { ...options, eval: true });
}

/** CommonJS code that registers a `.ts` loader and `@cvae/*` → sources mapping, then runs `entry`. */
function sourceBootstrap(entry: string): string {
  const typescript = require.resolve('typescript');
  return `
const Module = require('module');
const fs = require('fs');
const path = require('path');
const ts = require(${JSON.stringify(typescript)});
const packagesDir = ${JSON.stringify(PACKAGES_DIR)};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const match = /^@cvae\\/(dataset|model|training|evaluation)$/.exec(request);
  return match ? path.join(packagesDir, match[1], 'src', 'index.ts') : resolve.call(this, request, ...rest);
};
const compilerOptions = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
Module._extensions['.ts'] = function (module, filename) {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions });
  module._compile(outputText, filename);
};
require(${JSON.stringify(entry)});
`;
}
