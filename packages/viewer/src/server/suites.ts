/**
 * Suites for the review page: every suite of the suites directory (the workspace's suites/), and each
 * one's latest report (reports/<suite>/report.json) — validated by their @cvae/formats schemas — with
 * the goldens accepted since the report was written.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { GoldenIndexSchema, GoldenReportSchema, SUITE_FILE, SuiteSchema, readJsonFile, readJsonFileIfExists } from '@cvae/formats';
import type { SuiteReportResponse, SuiteSummary } from '../shared/api-types';

/** Suite directory names that are also safe, unescaped URL segments. */
export const SUITE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const REPORT_FILE = 'report.json';
const GOLDENS_INDEX_FILE = 'goldens.json';

export async function listSuites(suitesDir: string, reportsDir: string): Promise<SuiteSummary[]> {
  const entries = await fs.readdir(suitesDir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory() && SUITE_NAME.test(e.name)).map((e) => e.name).sort();
  const summaries: SuiteSummary[] = [];
  for (const name of names) {
    const suite = await readJsonFileIfExists(SuiteSchema, path.join(suitesDir, name, SUITE_FILE)).catch((error: Error) => error);
    if (suite === undefined) continue;
    const report = await readJsonFileIfExists(GoldenReportSchema, path.join(reportsDir, name, REPORT_FILE)).catch(() => undefined);
    summaries.push({
      name,
      problem: suite instanceof Error ? suite.message : null,
      images: suite instanceof Error ? [] : Object.keys(suite.images),
      gates: suite instanceof Error ? [] : Object.keys(suite.gates.metrics),
      checkpoint: suite instanceof Error ? null : suite.checkpoint.path,
      report: report === undefined ? null : { passed: report.passed, createdAt: report.createdAt },
    });
  }
  return summaries;
}

/** The suite's latest report (null when it has none), and which of its goldens were accepted after it was written. */
export async function readSuiteReport(suitesDir: string, reportsDir: string, name: string): Promise<SuiteReportResponse> {
  const report = await readJsonFileIfExists(GoldenReportSchema, path.join(reportsDir, name, REPORT_FILE));
  if (report === undefined) return { report: null, acceptedSinceReport: [] };
  const index = (await readJsonFileIfExists(GoldenIndexSchema, path.join(suitesDir, name, GOLDENS_INDEX_FILE))) ?? {};
  const accepted = Object.entries(index)
    .filter(([, record]) => record.via === 'accept' && Date.parse(record.createdAt) > Date.parse(report.createdAt))
    .map(([golden]) => golden);
  return { report, acceptedSinceReport: accepted };
}

/** Names of the comparisons in the suite's current report: the only names Accept may act on. */
export async function reportedNames(reportsDir: string, name: string): Promise<Set<string>> {
  const report = await readJsonFile(GoldenReportSchema, path.join(reportsDir, name, REPORT_FILE)).catch(() => undefined);
  return new Set(report?.comparisons.map((c) => c.name) ?? []);
}
