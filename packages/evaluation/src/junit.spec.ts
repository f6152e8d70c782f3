/**
 * junitXml on real report shapes, read back with a real XML parser (fast-xml-parser: its validator for
 * well-formedness, its parser for the structure): the elements and attributes the JUnit schema requires
 * (testsuites / testsuite name tests failures errors time / testcase name classname time / failure
 * message), counts that match the cases, and text that survives the markup characters.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { GoldenReport } from '@cvae/formats';
import { junitXml } from './junit';
import { failingReport, passingReport } from './test-utils/reports';

interface Case {
  name: string;
  classname: string;
  time: string;
  failure?: { message: string; type?: string; '#text'?: string };
  skipped?: { message: string } | string;
  'system-out'?: string;
}
interface Suite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  skipped: string;
  time: string;
  properties: { property: { name: string; value: string }[] };
  testcase: Case[];
}
interface Suites {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  time: string;
  testsuite: Suite[];
}

const REPORT_DIR = 'reports/reference';

/** Parses after checking well-formedness; fails the test with the parser's error otherwise. */
function parseJunit(xml: string): Suites {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true, parseTagValue: false, isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) });
  const parsed = parser.parse(xml) as { testsuites?: Suites };
  if (parsed.testsuites === undefined) throw new Error('no <testsuites> root');
  return parsed.testsuites;
}

/** The JUnit schema's required shape, and counts that agree with the cases. */
function expectJunitShape(root: Suites): void {
  for (const attribute of ['tests', 'failures', 'errors', 'time']) expect(root).toHaveProperty(attribute);
  expect(root.testsuite.length).toBeGreaterThan(0);
  let tests = 0;
  let failures = 0;
  for (const suite of root.testsuite) {
    for (const attribute of ['name', 'tests', 'failures', 'errors', 'time']) expect(suite).toHaveProperty(attribute);
    expect(Number(suite.time)).toBeGreaterThanOrEqual(0);
    expect(Number(suite.tests)).toBe(suite.testcase.length);
    expect(Number(suite.failures)).toBe(suite.testcase.filter((c) => c.failure !== undefined).length);
    expect(Number(suite.skipped)).toBe(suite.testcase.filter((c) => c.skipped !== undefined).length);
    expect(suite.errors).toBe('0');
    for (const testcase of suite.testcase) {
      expect(typeof testcase.name).toBe('string');
      expect(testcase.classname).toMatch(new RegExp(`^cvae\\.${suite.name}\\.(golden|gate|quality|obsolete)$`));
      expect(Number.isFinite(Number(testcase.time))).toBe(true);
      if (testcase.failure !== undefined) expect(testcase.failure.message.length).toBeGreaterThan(0);
    }
    tests += suite.testcase.length;
    failures += Number(suite.failures);
  }
  expect(Number(root.tests)).toBe(tests);
  expect(Number(root.failures)).toBe(failures);
}

const cases = (root: Suites) => root.testsuite.flatMap((s) => s.testcase.map((c) => ({ id: `${c.classname}.${c.name}`, failure: c.failure?.message ?? null })));

describe('junitXml', () => {
  it('a passing report: one passing case per golden, gate and quality bound, the report path a property', () => {
    const root = parseJunit(junitXml({ report: passingReport(), reportDir: REPORT_DIR, seconds: 12.3456 }));
    expectJunitShape(root);
    const [suite] = root.testsuite;
    expect(suite).toMatchObject({ name: 'reference', tests: '15', failures: '0', time: '12.346' });
    expect(cases(root).filter((c) => c.failure !== null)).toEqual([]);
    expect(cases(root).map((c) => c.id)).toEqual([
      'cvae.reference.golden.prior',
      'cvae.reference.golden.recon',
      'cvae.reference.golden.manifold',
      'cvae.reference.gate.ELBO',
      'cvae.reference.gate.KL',
      'cvae.reference.gate.reconstruction MSE',
      'cvae.reference.gate.reconstruction cross-entropy',
      'cvae.reference.quality.prior samples FID ≤ 130',
      'cvae.reference.quality.prior samples smallest class ≥ 0.5%',
      'cvae.reference.quality.prior samples class entropy ≥ 2 nats',
      'cvae.reference.quality.prior samples mean confidence ≥ 0.85',
      'cvae.reference.quality.reconstructions FID ≤ 130',
      'cvae.reference.quality.reconstructions smallest class ≥ 0.5%',
      'cvae.reference.quality.reconstructions class entropy ≥ 2 nats',
      'cvae.reference.quality.reconstructions mean confidence ≥ 0.9',
    ]);
    expect(suite.properties.property).toContainEqual({ name: 'report', value: 'reports/reference/index.html' });
  });

  it('a failing report: each failure carries its verdict line, the report and diff paths in system-out', () => {
    const report = failingReport();
    const root = parseJunit(junitXml({ report, reportDir: REPORT_DIR }));
    expectJunitShape(root);
    expect(root.testsuite[0]).toMatchObject({ tests: '15', failures: '7', time: '0.000' });
    const failed = Object.fromEntries(cases(root).filter((c) => c.failure !== null).map((c) => [c.id, c.failure]));
    expect(failed).toEqual({
      'cvae.reference.golden.prior': report.comparisons[0].message,
      'cvae.reference.golden.recon': report.comparisons[1].message,
      'cvae.reference.golden.manifold': report.comparisons[2].message,
      'cvae.reference.gate.ELBO': `gate FAIL: ${report.gates[0].message}`,
      'cvae.reference.gate.reconstruction MSE': `gate FAIL: ${report.gates[2].message}`,
      'cvae.reference.gate.reconstruction cross-entropy': `gate FAIL: ${report.gates[3].message}`,
      'cvae.reference.quality.prior samples FID ≤ 130': 'prior samples: FID 146.2 > 130',
    });
    const prior = root.testsuite[0].testcase[0];
    expect(prior['system-out']).toBe('report: reports/reference/index.html\ndiff: reports/reference/prior/diff.png');
    expect(prior.failure?.['#text']).toBe(`${report.comparisons[0].message}\nreport: reports/reference/index.html\ndiff: reports/reference/prior/diff.png`);
  });

  it('obsolete goldens: a failure in CI mode, skipped when only reported', () => {
    const report: GoldenReport = { ...passingReport(), passed: false, obsolete: [{ name: 'ghost', failed: true, message: 'golden ghost: OBSOLETE, FAIL (CI mode)' }, { name: 'old', failed: false, message: 'golden old: OBSOLETE, reported' }] };
    const root = parseJunit(junitXml({ report, reportDir: REPORT_DIR }));
    expectJunitShape(root);
    const [ghost, old] = root.testsuite[0].testcase.slice(-2);
    expect(ghost).toMatchObject({ classname: 'cvae.reference.obsolete', name: 'ghost', failure: { message: 'golden ghost: OBSOLETE, FAIL (CI mode)' } });
    expect(old).toMatchObject({ classname: 'cvae.reference.obsolete', name: 'old', skipped: { message: 'golden old: OBSOLETE, reported' } });
    expect(root.testsuite[0]).toMatchObject({ failures: '1', skipped: '1' });
  });

  it('markup characters, newlines and characters XML cannot carry: well-formed, the text read back as written', () => {
    const report = failingReport();
    const nasty = 'golden prior: FAIL <b>&amp; "quoted" \'single\' ]]> a\nsecond line\u0000\u001b end';
    report.suite.name = 'odd<&>"suite';
    report.comparisons[0].message = nasty;
    const xml = junitXml({ report, reportDir: 'reports/a&b <c>' });
    // A conforming parser turns a literal newline in an attribute into a space: it must be a character reference.
    expect(xml).not.toMatch(/="[^"]*\n/);
    const root = parseJunit(xml);
    const prior = root.testsuite[0].testcase[0];
    expect(root.testsuite[0].name).toBe('odd<&>"suite');
    expect(prior.classname).toBe('cvae.odd<&>"suite.golden');
    expect(prior.failure?.message).toBe('golden prior: FAIL <b>&amp; "quoted" \'single\' ]]> a\nsecond line end');
    expect(prior['system-out']).toContain('report: reports/a&b <c>/index.html');
  });

  it('a quality violation no bound explains still fails, as its own case', () => {
    const report = passingReport();
    if (report.quality === undefined) throw new Error('the fixture has a quality gate');
    report.quality = { ...report.quality, passed: false, violations: ['prior samples: KID 0.05 > 0.01'] };
    const root = parseJunit(junitXml({ report: { ...report, passed: false }, reportDir: REPORT_DIR }));
    expect(cases(root).filter((c) => c.failure !== null)).toEqual([{ id: 'cvae.reference.quality.sample quality', failure: 'prior samples: KID 0.05 > 0.01' }]);
  });

  it('several reports: one testsuite each, the root counting them all', () => {
    const other = { ...passingReport(), suite: { name: 'small', dir: 'suites/small' } };
    const root = parseJunit(junitXml([{ report: failingReport(), reportDir: REPORT_DIR, seconds: 2 }, { report: other, reportDir: 'reports/small', seconds: 1.5 }]));
    expectJunitShape(root);
    expect(root.testsuite.map((s) => [s.name, s.tests, s.failures])).toEqual([['reference', '15', '7'], ['small', '15', '0']]);
    expect(root).toMatchObject({ tests: '30', failures: '7', errors: '0', time: '3.500' });
  });
});
