#!/usr/bin/env node
// CI proof that @cvae/tfjs-kernels works as a package on its own (Nx target tfjs-kernels:pack-test, after build):
//  1. `npm pack` the package and check the tarball holds what a user needs and nothing else;
//  2. make an empty project in the OS temp dir (outside the workspace, so no workspace node_modules can leak
//     in) and `npm install` only the tarball plus tfjs 4.22.0 (core, backend-wasm, backend-cpu, layers) from
//     the registry;
//  3. negative control: train.cjs WITHOUT importing the package must fail on wasm (no Conv2DBackpropFilter);
//  4. train.cjs importing the package must train a Conv2D/Conv2DTranspose autoencoder on wasm with Adam.
// Needs no C compiler and no download except the npm registry. Exit 0 with one "pack-test: OK" line, or
// non-zero with one "pack-test: FAIL" line. `--keep` keeps the temp dir (it is also kept after a failure).
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const TFJS_VERSION = '4.22.0';
const TFJS_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-layers'];
const packageDir = path.resolve(__dirname, '..');
const keep = process.argv.includes('--keep');
const started = Date.now();
let tempDir;

function seconds() {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

function fail(message) {
  console.error(`pack-test: FAIL: ${message}${tempDir ? ` (temp dir kept: ${tempDir})` : ''}`);
  process.exit(1);
}

/**
 * The environment for npm and node in the temp project: without what `npx nx` / `npm run` put there about
 * the workspace (its package, prefix and lifecycle) and without NODE_PATH, so nothing points back into it.
 * The user's npm settings (registry, cache, certificates) stay.
 */
function isolatedEnv() {
  const env = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_)|^npm_config_(local_prefix|prefix|global_prefix|workspaces?|include_workspace_root)$/i.test(name)) delete env[name];
  }
  for (const name of ['NODE_PATH', 'INIT_CWD', 'npm_command', 'npm_execpath', 'npm_node_execpath']) delete env[name];
  return env;
}

function run(command, args, cwd, timeoutMs) {
  const result = spawnSync(command, args, { cwd, env: isolatedEnv(), encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) fail(`${command} ${args.join(' ')}: ${result.error.message}`);
  return result;
}

function mustSucceed(result, what) {
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    fail(`${what} exited with ${result.status ?? result.signal}`);
  }
  return result;
}

/** The tarball must hold what a user needs (built code, types, conv.c and build.sh to rebuild conv.wasm, docs) and nothing else. */
function checkTarballFiles(files) {
  const required = [
    'package.json', 'README.md', 'LICENSE', 'KERNELS.md', 'dist/index.js', 'dist/index.d.ts',
    'dist/wasm/simd/conv-wasm.generated.js', 'src/wasm/simd/conv.c', 'src/wasm/simd/build.sh',
  ];
  const missing = required.filter((f) => !files.includes(f));
  if (missing.length > 0) fail(`the tarball lacks ${missing.join(', ')}`);
  const allowed = (f) => required.includes(f) || (/^dist\/.+\.(js|d\.ts)$/.test(f) && !/(\.spec\.|test-utils|\/bench\/|pack-test)/.test(f));
  const unexpected = files.filter((f) => !allowed(f));
  if (unexpected.length > 0) fail(`the tarball has files a user does not need: ${unexpected.join(', ')}`);
}

function pack() {
  if (!fs.existsSync(path.join(packageDir, 'dist', 'index.js'))) fail(`${packageDir}/dist is missing: run nx run tfjs-kernels:build first`);
  const packed = mustSucceed(run('npm', ['pack', '--json', '--pack-destination', tempDir], packageDir, 120_000), 'npm pack');
  const info = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0];
  const files = info.files.map((f) => f.path).sort();
  checkTarballFiles(files);
  console.log(`packed ${info.filename}: ${files.length} files, ${(info.size / 1024).toFixed(0)} KiB (unpacked ${(info.unpackedSize / 1024).toFixed(0)} KiB)`);
  return path.join(tempDir, info.filename);
}

function makeProject(tarball) {
  const projectDir = path.join(tempDir, 'project');
  fs.mkdirSync(projectDir);
  fs.writeFileSync(path.join(projectDir, 'package.json'), JSON.stringify({ name: 'tfjs-kernels-pack-test', version: '0.0.0', private: true }, null, 2) + '\n');
  fs.copyFileSync(path.join(__dirname, 'train.cjs'), path.join(projectDir, 'train.cjs'));
  // No node_modules may sit above the project, or Node would resolve packages from there too.
  for (let dir = path.dirname(projectDir); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'node_modules'))) fail(`${dir}/node_modules exists above the temp project; set TMPDIR elsewhere`);
    if (path.dirname(dir) === dir) break;
  }
  const specs = [tarball, ...TFJS_PACKAGES.map((name) => `${name}@${TFJS_VERSION}`)];
  const installed = mustSucceed(
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...specs], projectDir, 300_000),
    'npm install',
  );
  const summary = installed.stdout.trim().split('\n').filter(Boolean).pop() ?? '';
  console.log(`npm install (tarball + tfjs ${TFJS_VERSION} from the registry): ${summary} [${seconds()}]`);
  return projectDir;
}

function negativeControl(projectDir) {
  const result = run(process.execPath, ['train.cjs', '--without-kernels'], projectDir, 120_000);
  const output = result.stdout + result.stderr;
  if (result.status === 0) {
    process.stdout.write(output);
    fail('train.cjs --without-kernels succeeded: this test cannot tell whether the package is needed');
  }
  if (!/Conv2DBackpropFilter/.test(output)) {
    process.stdout.write(output);
    fail('train.cjs --without-kernels failed, but not for the missing Conv2DBackpropFilter');
  }
  const line = output.split('\n').find((l) => l.includes('Conv2DBackpropFilter'));
  console.log(`negative control, without importing the package: fails as expected (exit ${result.status}): ${line.trim()} [${seconds()}]`);
}

function train(projectDir) {
  const result = run(process.execPath, ['train.cjs'], projectDir, 300_000);
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.status !== 0) fail(`train.cjs exited with ${result.status ?? result.signal}`);
}

function main() {
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-kernels-pack-test-'));
  const tarball = pack();
  const projectDir = makeProject(tarball);
  negativeControl(projectDir);
  train(projectDir);
  const where = tempDir;
  if (!keep) {
    fs.rmSync(tempDir, { recursive: true, force: true });
    tempDir = undefined;
  }
  console.log(`pack-test: OK: the packed @cvae/tfjs-kernels trains a conv autoencoder on tfjs-backend-wasm ${TFJS_VERSION} in an empty project (${seconds()}${keep ? `, kept ${where}` : ''})`);
}

main();
