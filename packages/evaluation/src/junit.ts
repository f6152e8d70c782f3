/**
 * A suite check's verdict (report.json) as JUnit XML, the format CI systems read: one <testsuite> per
 * suite, one <testcase> per golden (`cvae.<suite>.golden`), per metric gate (`.gate`), per sample-quality
 * bound (`.quality`) and per obsolete golden (`.obsolete`; skipped when only reported). A failure's
 * message is the entry's verdict line; the report's path is a property of the suite and the
 * <system-out> of every case that did not pass. Pure: report in, string out (`cvae check --junit`).
 */
import * as path from 'path';
import type { GoldenReport, QualityGateResult, SetQualityBounds } from '@cvae/formats';
import { checkSampleQuality } from './sample-quality';
import { STATIC_REPORT_FILE } from './static-report';

/** One suite's report, where it was written, and how long the check took (0 when not known). */
export interface JunitSuiteInput {
  report: GoldenReport;
  reportDir: string;
  seconds?: number;
}

interface JunitCase {
  name: string;
  classname: string;
  failure?: string;
  skipped?: string;
  /** Lines for <system-out>: where to look. */
  output: string[];
}

export function junitXml(input: JunitSuiteInput | JunitSuiteInput[]): string {
  const suites = (Array.isArray(input) ? input : [input]).map((suite) => ({ ...suite, cases: junitCases(suite) }));
  const count = (filter: (c: JunitCase) => boolean) => suites.reduce((n, s) => n + s.cases.filter(filter).length, 0);
  const seconds = suites.reduce((sum, s) => sum + (s.seconds ?? 0), 0);
  const root = attributes({ name: 'cvae check', tests: count(() => true), failures: count(isFailure), errors: 0, skipped: count(isSkipped), time: time(seconds) });
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${root}>`, ...suites.flatMap(suiteXml), '</testsuites>', ''].join('\n');
}

/** Every case of one report, in the order `cvae check` prints them. */
export function junitCases({ report, reportDir }: JunitSuiteInput): JunitCase[] {
  const prefix = `cvae.${report.suite.name}`;
  const index = reportIndex(reportDir);
  const goldens = report.comparisons.map((entry): JunitCase => ({
    name: entry.name,
    classname: `${prefix}.golden`,
    ...(entry.status === 'pass' ? {} : { failure: entry.message }),
    output: [`report: ${index}`, ...(entry.diff === null ? [] : [`diff: ${path.join(reportDir, entry.diff)}`])],
  }));
  const gates = report.gates.map((gate): JunitCase => ({
    name: gate.label,
    classname: `${prefix}.gate`,
    ...(gate.passed ? {} : { failure: `gate FAIL: ${gate.message}` }),
    output: [`report: ${index}`],
  }));
  const obsolete = report.obsolete.map((o): JunitCase => ({
    name: o.name,
    classname: `${prefix}.obsolete`,
    ...(o.failed ? { failure: o.message } : { skipped: o.message }),
    output: [`report: ${index}`],
  }));
  const quality = report.quality === undefined ? [] : qualityCases(report.quality, `${prefix}.quality`, index);
  return [...goldens, ...gates, ...quality, ...obsolete];
}

const SETS = [
  ['samples', 'prior samples'],
  ['reconstructions', 'reconstructions'],
] as const;

/**
 * One case per bound of suite.json's quality gate, judged by the gate's own rule (checkSampleQuality
 * with that one bound), so a bound added later gets its case too; a violation no bound's case
 * explains still fails, as one more case, so the XML never passes what the report failed.
 */
function qualityCases(quality: QualityGateResult, classname: string, index: string): JunitCase[] {
  const explained = new Set<string>();
  const cases = SETS.flatMap(([set, label]) =>
    Object.entries(quality.bounds[set] ?? {}).map(([bound, value]): JunitCase => {
      const violations = checkSampleQuality(quality.result, { [set]: { [bound]: value } as SetQualityBounds });
      violations.forEach((v) => explained.add(v));
      return { name: `${label} ${boundLabel(bound, value)}`, classname, ...(violations.length === 0 ? {} : { failure: violations.join('; ') }), output: [`report: ${index}`] };
    }),
  );
  const unexplained = quality.violations.filter((v) => !explained.has(v));
  if (unexplained.length > 0) cases.push({ name: 'sample quality', classname, failure: unexplained.join('; '), output: [`report: ${index}`] });
  return cases;
}

function boundLabel(bound: string, value: unknown): string {
  const n = Number(value);
  switch (bound) {
    case 'maxFid': return `FID ≤ ${n}`;
    case 'minClassShare': return `smallest class ≥ ${(100 * n).toFixed(1)}%`;
    case 'minEntropy': return `class entropy ≥ ${n} nats`;
    case 'minMeanConfidence': return `mean confidence ≥ ${n}`;
    case 'maxKid': return `KID ≤ ${n}`;
    case 'minDensity': return `density ≥ ${n}`;
    case 'minCoverage': return `coverage ≥ ${(100 * n).toFixed(1)}%`;
    default: return `${bound} ${String(value)}`;
  }
}

function suiteXml(suite: JunitSuiteInput & { cases: JunitCase[] }): string[] {
  const { report, reportDir, cases } = suite;
  const head = attributes({
    name: report.suite.name,
    tests: cases.length,
    failures: cases.filter(isFailure).length,
    errors: 0,
    skipped: cases.filter(isSkipped).length,
    time: time(suite.seconds ?? 0),
    timestamp: report.createdAt,
  });
  const properties = { report: reportIndex(reportDir), 'report.json': path.join(reportDir, 'report.json'), checkpoint: report.checkpoint.path, backend: `${report.backend} (${report.kernels})`, passed: String(report.passed) };
  return [
    `  <testsuite${head}>`,
    '    <properties>',
    ...Object.entries(properties).map(([name, value]) => `      <property${attributes({ name, value })}/>`),
    '    </properties>',
    ...cases.flatMap(caseXml),
    '  </testsuite>',
  ];
}

function caseXml(c: JunitCase): string[] {
  const head = `    <testcase${attributes({ name: c.name, classname: c.classname, time: time(0) })}`;
  if (c.failure === undefined && c.skipped === undefined) return [`${head}/>`];
  const body = c.failure !== undefined
    ? `      <failure${attributes({ message: c.failure, type: 'verdict' })}>${text([c.failure, ...c.output].join('\n'))}</failure>`
    : `      <skipped${attributes({ message: c.skipped as string })}/>`;
  return [`${head}>`, body, `      <system-out>${text(c.output.join('\n'))}</system-out>`, '    </testcase>'];
}

const isFailure = (c: JunitCase) => c.failure !== undefined;
const isSkipped = (c: JunitCase) => c.skipped !== undefined;
const reportIndex = (reportDir: string) => path.join(reportDir, STATIC_REPORT_FILE);
const time = (seconds: number) => seconds.toFixed(3);

function attributes(values: Record<string, string | number>): string {
  // Newlines and tabs as character references: an XML parser normalizes literal ones in attributes to spaces.
  return Object.entries(values)
    .map(([name, value]) => ` ${name}="${text(String(value)).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;').replace(/\r/g, '&#13;')}"`)
    .join('');
}

/** Escaped for XML 1.0 content; characters XML cannot carry at all (NUL, most C0 controls, lone surrogates) dropped. */
function text(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}
