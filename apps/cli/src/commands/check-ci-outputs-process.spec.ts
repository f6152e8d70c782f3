/**
 * `cvae check --junit FILE --summary FILE` as real processes on a small suite of the reference model
 * (issue 25): the JUnit XML read back with a real parser (fast-xml-parser), the Markdown summary, and
 * $GITHUB_STEP_SUMMARY appended to, never truncated. A failing check (a floor no model meets, an
 * obsolete golden under --ci) writes its failures with their verdict lines. Needs the built CLI
 * (`nx test cli` builds it first).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { GoldenReport, SUITE_FILE, Suite } from '@cvae/formats';
import { WORKSPACE_ROOT, assertCliBuilt, killAll, runCvae } from '../test-utils/cli-process';

jest.setTimeout(120_000);

interface Case {
  classname: string;
  name: string;
  time: string;
  failure?: { message: string };
  skipped?: unknown;
}
interface Suites {
  tests: string;
  failures: string;
  errors: string;
  time: string;
  testsuite: { name: string; tests: string; failures: string; errors: string; time: string; testcase: Case[] }[];
}

let root: string;
const suiteDir = () => path.join(root, 'suites', 'small');
const out = (file: string) => path.join(root, 'out', file);
// CI=false: the verdict does not depend on where the tests run (CI mode is check-process.spec's subject).
const cvae = (args: string[], env: NodeJS.ProcessEnv = {}) => runCvae(args, { cwd: root, env: { CVAE_WORKSPACE: root, CVAE_BACKEND: 'wasm', CI: 'false', GITHUB_STEP_SUMMARY: undefined, ...env } });
const check = ['check', '--suite', 'suites/small', '--workers', '1', '--junit', 'out/junit.xml', '--summary', 'out/summary.md'];

beforeAll(async () => {
  assertCliBuilt();
  root = mkdtempSync(path.join(tmpdir(), 'cvae-check-outputs-'));
  cpSync(path.join(WORKSPACE_ROOT, 'runs', 'reference', 'checkpoints', 'last'), path.join(root, 'runs', 'reference', 'checkpoints', 'last'), { recursive: true });
  // A small suite of the reference model: its three image sets, gates on 100 test images, no quality gate.
  const init = await cvae(['golden', 'init', '--suite', 'suites/small', '--checkpoint', 'runs/reference/checkpoints/last', '--gate-images', '100', '--quality-samples', '0', '--no-noise', '--workers', '1']);
  expect(init.code).toBe(0);
  mkdirSync(path.join(root, 'out'));
}, 120_000);
afterEach(killAll);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function readJunit(file: string): Suites {
  const xml = readFileSync(file, 'utf8');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`${file} is not well-formed XML: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true, parseTagValue: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) });
  return (parser.parse(xml) as { testsuites: Suites }).testsuites;
}

const report = () => JSON.parse(readFileSync(path.join(root, 'reports', 'small', 'report.json'), 'utf8')) as GoldenReport;

describe('cvae check --junit / --summary', () => {
  it('a passing check: JUnit with a passing case per golden and gate, a PASS summary appended to $GITHUB_STEP_SUMMARY', async () => {
    const stepSummary = out('step-summary.md');
    writeFileSync(stepSummary, '## an earlier step\n');
    const run = await cvae(check, { GITHUB_STEP_SUMMARY: stepSummary });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('cvae check: JUnit XML in out/junit.xml\n');
    expect(run.stderr).toContain('cvae check: summary in out/summary.md and appended to $GITHUB_STEP_SUMMARY\n');
    const junit = readJunit(out('junit.xml'));
    expect(junit).toMatchObject({ tests: '7', failures: '0', errors: '0' });
    const [suite] = junit.testsuite;
    expect(suite).toMatchObject({ name: 'small', tests: '7', failures: '0', errors: '0' });
    expect(Number(suite.time)).toBeGreaterThan(0);
    expect(suite.testcase.map((c) => `${c.classname}.${c.name}`)).toEqual([
      'cvae.small.golden.prior',
      'cvae.small.golden.recon',
      'cvae.small.golden.manifold',
      'cvae.small.gate.ELBO',
      'cvae.small.gate.KL',
      'cvae.small.gate.reconstruction MSE',
      'cvae.small.gate.reconstruction cross-entropy',
    ]);
    const summary = readFileSync(out('summary.md'), 'utf8');
    expect(summary.split('\n')[0]).toBe('## ✅ cvae check `small`: PASS');
    expect(summary).toContain('### Goldens: 3 of 3 match');
    expect(summary).toMatch(/^\| ELBO \(nats\/image\) \| −[\d.]+ \| −[\d.]+ \| [+−][\d.]+ ± [\d.]+ \(100 images\) \| 0\.50 \| ✅ unchanged \|$/m);
    expect(summary).toContain('Report: `reports/small/index.html`');
    expect(readFileSync(stepSummary, 'utf8')).toBe(`## an earlier step\n${summary}`);

    // A second check appends again: GitHub shows what every step wrote.
    const again = await cvae(check, { GITHUB_STEP_SUMMARY: stepSummary });
    expect(again.code).toBe(0);
    expect(readFileSync(stepSummary, 'utf8')).toBe(`## an earlier step\n${summary}${summary}`);
  });

  it('a failing check: each failure is its verdict line, in JUnit and in the summary; no $GITHUB_STEP_SUMMARY, nothing appended', async () => {
    const file = path.join(suiteDir(), SUITE_FILE);
    const original = readFileSync(file, 'utf8');
    const suite = JSON.parse(original) as Suite;
    // A floor no model of MNIST meets, and an obsolete golden, which fails under --ci.
    suite.gates.metrics.elbo = { ...suite.gates.metrics.elbo, floor: { min: -10 } };
    writeFileSync(file, JSON.stringify(suite));
    cpSync(path.join(suiteDir(), 'prior.png'), path.join(suiteDir(), 'ghost.png'));
    try {
      const run = await cvae([...check, '--ci']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('cvae check: summary in out/summary.md\n');
      const { gates, obsolete } = report();
      const junit = readJunit(out('junit.xml'));
      expect(junit).toMatchObject({ tests: '8', failures: '2' });
      const failures = junit.testsuite[0].testcase.filter((c) => c.failure !== undefined).map((c) => [`${c.classname}.${c.name}`, c.failure?.message]);
      expect(failures).toEqual([
        ['cvae.small.gate.ELBO', `gate FAIL: ${gates[0].message}`],
        ['cvae.small.obsolete.ghost', obsolete[0].message],
      ]);
      expect(gates[0].message).toMatch(/FLOOR: ELBO −[\d.]+ is below the floor −10\.00$/);
      const summary = readFileSync(out('summary.md'), 'utf8');
      expect(summary.split('\n')[0]).toBe('## ❌ cvae check `small`: FAIL');
      expect(summary).toMatch(/^\| ELBO \(nats\/image\) \| .* \| ❌ unchanged; FLOOR: ELBO −[\d.]+ is below the floor −10\.00 \|$/m);
      expect(summary).toContain('### Obsolete goldens\n\n- ❌ golden ghost: OBSOLETE, FAIL (CI mode)');
    } finally {
      writeFileSync(file, original);
      rmSync(path.join(suiteDir(), 'ghost.png'));
    }
  });

  it('a directory for --junit or --summary is one line and exit 2, before anything runs', async () => {
    for (const flag of ['--junit', '--summary']) {
      const run = await cvae(['check', '--suite', 'suites/small', flag, 'out']);
      expect({ flag, code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ flag, code: 2, stdout: '', stderr: `cvae: ${flag} out is a directory: expected a file to write\n` });
    }
  });
});
