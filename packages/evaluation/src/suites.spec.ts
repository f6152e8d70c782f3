/**
 * Every suite of the workspace (suites/*), as jest tests: one per golden and one per metric gate,
 * named `<suite> › golden <name>` and `<suite> › gate <metric>`, so `-t` filters and the summary read
 * naturally. jest's snapshot conventions apply: `-u` rewrites changed and missing goldens (and a
 * baseline that changed) and removes obsolete ones; by default only missing ones are written; under
 * `--ci` (CI=true) nothing is written and a missing or obsolete golden fails. Each suite's report,
 * with its static index.html, lands in reports/<suite>/.
 */
import { availableParallelism } from 'os';
import { readFileSync } from 'fs';
import * as path from 'path';
import { SUITE_FILE, SuiteSchema, parseJsonText } from '@cvae/formats';
import { gatedMetrics } from './baseline';
import { STATIC_REPORT_FILE } from './static-report';
import { SuiteCheck, UpdateMode, checkSuite } from './check';
import { listSuiteDirs } from './suite';
import { METRIC_INFO } from '@cvae/formats';

interface SnapshotState {
  _updateSnapshot: 'all' | 'new' | 'none';
  added: number;
  updated: number;
}

const CHECK_TIMEOUT_MS = 900_000;
const suiteDirs = listSuiteDirs();

test('the workspace has golden suites', () => {
  expect(suiteDirs.map((dir) => path.basename(dir))).toContain('reference');
});

for (const dir of suiteDirs) {
  // Read synchronously: jest collects the tests (one per golden and gate) before anything runs.
  const suite = parseJsonText(SuiteSchema, readFileSync(path.join(dir, SUITE_FILE), 'utf8'), path.join(dir, SUITE_FILE));
  describe(path.basename(dir), () => {
    let check: SuiteCheck;
    let mode: UpdateMode;

    beforeAll(async () => {
      const snapshots = (expect.getState() as unknown as { snapshotState: SnapshotState }).snapshotState;
      mode = snapshots._updateSnapshot;
      // jest's --ci (on when ci-info sees CI) is what makes its snapshot mode 'none' (unless -u): CI mode here too.
      check = await checkSuite({ suiteDir: dir, update: mode, ci: mode === 'none', workers: availableParallelism() });
      // Counted as jest counts snapshots, so its summary says what was written or updated.
      snapshots.added += check.written.goldens.filter((c) => c.status === 'created').length;
      snapshots.updated += check.written.goldens.filter((c) => c.status === 'updated').length + (check.written.baseline ? 1 : 0);
      for (const change of check.written.goldens.filter((c) => c.status !== 'unchanged')) console.log(`golden ${change.name}: ${change.status} (${change.reason})`);
      if (check.written.baseline) console.log(`baseline of ${dir} written from ${check.report.checkpoint.path}`);
      if (!check.report.passed) console.log(`report: ${path.join(check.reportDir, STATIC_REPORT_FILE)}`);
    }, CHECK_TIMEOUT_MS);

    test.each(Object.keys(suite.images))('golden %s', (name) => {
      const entry = check.report.comparisons.find((c) => c.name === name);
      if (entry === undefined) throw new Error(`no comparison for ${name}`);
      if (entry.status !== 'pass') throw new Error(entry.message);
    });

    test.each(gatedMetrics(suite).map((metric) => [METRIC_INFO[metric].label, metric]))('gate %s', (_label, metric) => {
      const gate = check.report.gates.find((g) => g.metric === metric);
      if (gate === undefined) throw new Error(`no gate ${metric} in the report`);
      if (!gate.passed) throw new Error(gate.message);
    });

    if (suite.quality !== undefined) {
      test('sample quality', () => {
        const quality = check.report.quality;
        if (quality === undefined) throw new Error('no sample-quality result in the report');
        if (!quality.passed) throw new Error(quality.violations.join('; '));
      });
    }

    test('no obsolete goldens', () => {
      // Reported in every mode; a failure under --ci, like a missing golden.
      const failed = check.report.obsolete.filter((o) => o.failed);
      if (failed.length > 0) throw new Error(failed.map((o) => o.message).join('\n'));
      for (const obsolete of check.report.obsolete) console.warn(obsolete.message);
    });
  });
}
