/**
 * This package's jest config as a real jest process over a small suites.spec.ts of its own: the
 * default reporter still prints, and jest-junit writes JUnit XML (JEST_JUNIT_OUTPUT_DIR moves it) in
 * which the golden suites' tests carry the classnames `cvae check --junit` writes.
 */
import { spawn } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { stripVTControlCharacters } from 'util';

jest.setTimeout(60_000);

const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');
const CONFIG = path.join(__dirname, '..', 'jest.config.js');
const JEST_BIN = require.resolve('jest/bin/jest');

/** A suites.spec.ts shaped like the real one: one describe per suite, goldens and gates by title. */
const FIXTURE_SPEC = `
test('the workspace has golden suites', () => undefined);
describe('tiny', () => {
  test('golden prior', () => undefined);
  test('gate ELBO', () => { console.log('report: reports/tiny/index.html'); throw new Error('gate FAIL: ELBO <worse> & more'); });
  test('sample quality', () => undefined);
  test('no obsolete goldens', () => undefined);
});
`;

let scratch: string;

beforeAll(() => {
  // Inside the workspace (tmp/ is gitignored): the config's transform (ts-jest) resolves from the rootDir.
  mkdirSync(path.join(WORKSPACE_ROOT, 'tmp'), { recursive: true });
  scratch = mkdtempSync(path.join(WORKSPACE_ROOT, 'tmp', 'jest-junit-'));
  mkdirSync(path.join(scratch, 'src'));
  writeFileSync(path.join(scratch, 'src', 'suites.spec.ts'), FIXTURE_SPEC);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function runJest(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name];
  delete childEnv.JEST_WORKER_ID; // this test's own worker id would tell the child it is a worker
  const child = spawn(process.execPath, [JEST_BIN, '-c', CONFIG, '--rootDir', scratch, '--ci'], { cwd: WORKSPACE_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output: stripVTControlCharacters(output) })));
}

interface Case {
  classname: string;
  name: string;
  failure?: string;
}

it('writes JUnit with cvae.<suite>.golden|gate|quality|obsolete classnames beside jest\'s usual output', async () => {
  const out = path.join(scratch, 'out');
  const run = await runJest({ JEST_JUNIT_OUTPUT_DIR: out });
  expect(run.code).toBe(1);
  expect(run.output).toMatch(/^Tests: +1 failed, 4 passed, 5 total$/m);
  const xml = readFileSync(path.join(out, 'evaluation.xml'), 'utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) });
  const root = (parser.parse(xml) as { testsuites: { tests: string; failures: string; testsuite: { name: string; testcase: Case[]; 'system-out'?: string }[] } }).testsuites;
  expect(root).toMatchObject({ tests: '5', failures: '1' });
  const [suite] = root.testsuite;
  expect(suite.name).toBe('suites.spec.ts');
  expect(suite.testcase.map((c) => [c.classname, c.name, c.failure === undefined ? null : c.failure.split('\n')[0]])).toEqual([
    ['suites.spec.ts', 'the workspace has golden suites', null],
    ['cvae.tiny.golden', 'prior', null],
    ['cvae.tiny.gate', 'ELBO', 'Error: gate FAIL: ELBO <worse> & more'],
    ['cvae.tiny.quality', 'sample quality', null],
    ['cvae.tiny.obsolete', 'no obsolete goldens', null],
  ]);
  expect(suite['system-out']).toContain('report: reports/tiny/index.html');
});

it('by default writes reports/junit/evaluation.xml under the workspace root ($CVAE_WORKSPACE, as the suites\' reports)', async () => {
  const run = await runJest({ CVAE_WORKSPACE: scratch, JEST_JUNIT_OUTPUT_DIR: undefined });
  expect(run.code).toBe(1);
  const xml = readFileSync(path.join(scratch, 'reports', 'junit', 'evaluation.xml'), 'utf8');
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml).toContain('classname="cvae.tiny.gate" name="ELBO"');
});
