/**
 * report.json fixtures for the renderers' tests: a real failing report (`cvae check --checkpoint runs/mlp/…`
 * against suites/reference: every golden, the ELBO gate and the prior samples' FID fail), and the same
 * report made to pass. Both go through GoldenReportSchema, so they have the shape a real report has.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { GoldenReport, GoldenReportSchema, parseJsonText } from '@cvae/formats';

const FAILING = path.join(__dirname, 'failing-report.json');

export function failingReport(): GoldenReport {
  return parseJsonText(GoldenReportSchema, readFileSync(FAILING, 'utf8'), FAILING);
}

/** Every golden equal, every gate unchanged, the quality bounds met, no obsolete golden. */
export function passingReport(): GoldenReport {
  const report = failingReport();
  const passed = {
    ...report,
    passed: true,
    counts: { pass: report.comparisons.length, fail: 0, missing: 0, 'size-mismatch': 0 },
    comparisons: report.comparisons.map((c) => ({ ...c, status: 'pass' as const, diffPixels: 0, diffRatio: 0, maxDelta: 0, actual: null, diff: null, result: null, message: `golden ${c.name}: pass` })),
    gates: report.gates.map((g) => {
      const { floorViolation: _dropped, ...gate } = g;
      return { ...gate, verdict: 'unchanged' as const, passed: true, message: `${g.label}: unchanged` };
    }),
    obsolete: [],
  };
  if (report.quality) {
    const samples = { ...report.quality.result.samples, fid: 93.1 };
    passed.quality = { ...report.quality, result: { ...report.quality.result, samples }, violations: [], passed: true };
  }
  return GoldenReportSchema.parse(passed);
}
