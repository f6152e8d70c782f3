/**
 * tools/nx-suites/plugin.js makes every suites/<name>/ an Nx project with a cacheable `check` target.
 * Checked through Nx itself in a workspace of three suites, each with its own checkpoint: the first run
 * checks all three, a second is three cache hits, and after one byte of one checkpoint changes only
 * that suite runs again, and after one dataset file changes, only the suite of that dataset. The check command is the plugin's `command` option: a real process that
 * writes a report, so Nx's cache restores outputs too (`cvae check` itself is what nx-cache.spec and the
 * suites spec cover; here the question is what Nx re-runs).
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { stripVTControlCharacters } from 'util';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PLUGIN = path.join(ROOT, 'tools', 'nx-suites', 'plugin.js');
const SUITES = ['alpha', 'beta', 'gamma'];

let workspace: string;

function nx(...args: string[]): string {
  const run = spawnSync(process.execPath, [require.resolve('nx/bin/nx.js'), ...args], {
    cwd: workspace,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', CI: 'true' },
  });
  const output = stripVTControlCharacters(`${run.stdout}${run.stderr}`);
  if (run.status !== 0) throw new Error(`nx ${args.join(' ')} failed (${run.status}):\n${output}`);
  return output;
}

/** The suites whose check ran (its command printed `checked <name>`) rather than came from the cache. */
function checkAll(): string[] {
  const output = nx('run-many', '-t', 'check', '--output-style=stream', '--skip-nx-cache=false');
  return SUITES.filter((name) => new RegExp(`checked ${name}\\b`).test(output) && !new RegExp(`suite-${name}:check.*(cache|existing outputs)`).test(output));
}

function writeFile(relative: string, text: string): void {
  mkdirSync(path.dirname(path.join(workspace, relative)), { recursive: true });
  writeFileSync(path.join(workspace, relative), text);
}

beforeAll(() => {
  workspace = mkdtempSync(path.join(tmpdir(), 'cvae-nx-suites-'));
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(workspace, 'node_modules'));
  writeFile('package.json', JSON.stringify({ name: 'nx-suites-fixture', private: true }));
  // The check: a real process that reads the checkpoint and writes the report the target declares.
  const command = `node -e "const fs=require('fs');fs.mkdirSync('reports/{name}',{recursive:true});fs.writeFileSync('reports/{name}/report.json',fs.readFileSync('runs/{name}/checkpoints/last/decoder/weights.bin'));console.log('checked {name}')"`;
  writeFile('nx.json', JSON.stringify({ plugins: [{ plugin: PLUGIN, options: { command, implicitDependencies: [], computePackages: [] } }] }));
  for (const name of SUITES) {
    writeFile(`runs/${name}/checkpoints/last/decoder/weights.bin`, `weights of ${name}`);
    writeFile(`data/${name}/train-images-idx3-ubyte`, `images of ${name}`);
    writeFile(`suites/${name}/suite.json`, JSON.stringify({ checkpoint: { path: `runs/${name}/checkpoints/last` }, dataset: { source: 'directory', location: path.join(workspace, 'data', name) } }));
  }
});
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

jest.setTimeout(120_000);

describe('one Nx project per suite (tools/nx-suites/plugin.js)', () => {
  it('infers suite-<name>:check for every suites/<name>/suite.json, cached, with the suite, its checkpoint and its dataset as inputs', () => {
    const project = JSON.parse(nx('show', 'project', 'suite-alpha', '--json')) as { targets: { check: { cache: boolean; inputs: unknown[]; outputs: string[] } } };
    expect(project.targets.check.cache).toBe(true);
    expect(project.targets.check.outputs).toEqual(['{workspaceRoot}/reports/alpha']);
    expect(project.targets.check.inputs).toEqual(expect.arrayContaining(['{workspaceRoot}/runs/alpha/checkpoints/last/**/*', '{workspaceRoot}/data/alpha/**/*']));
  });

  it('runs all three, then none (cache hits, reports restored), then only the one whose checkpoint changed', () => {
    expect(checkAll()).toEqual(SUITES);
    rmSync(path.join(workspace, 'reports'), { recursive: true, force: true });
    expect(checkAll()).toEqual([]);
    expect(existsSync(path.join(workspace, 'reports', 'beta', 'report.json'))).toBe(true);
    const weights = path.join(workspace, 'runs', 'beta', 'checkpoints', 'last', 'decoder', 'weights.bin');
    writeFileSync(weights, `${readFileSync(weights, 'utf8')}!`);
    expect(checkAll()).toEqual(['beta']);
    writeFileSync(path.join(workspace, 'data', 'gamma', 'train-images-idx3-ubyte'), 'other images');
    expect(checkAll()).toEqual(['gamma']);
  });
});
