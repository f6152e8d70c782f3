/**
 * Reads the golden report written by @cvae/evaluation (`<reportDir>/report.json`, validated by its
 * @cvae/formats schema) and `<goldensDir>/goldens.json` for what was accepted since, and turns every
 * image path into a URL this server serves.
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import { GoldenIndex, GoldenIndexSchema, GoldenReport, GoldenReportSchema, ReportEntry, readJsonFileIfExists } from '@cvae/formats';
import type { GoldenResultView, ReportView } from '../shared/api-types';
import { isInside, realpathOrNull } from './safe-path';

export const REPORT_FILE = 'report.json';
const GOLDENS_INDEX_FILE = 'goldens.json';

/** The latest report (null when there is none); a malformed report.json or goldens.json throws a FormatError. */
export async function readReport(reportDir: string, goldensDir: string): Promise<ReportView | null> {
  const report = await readReportFile(reportDir);
  if (report === undefined) return null;
  const index = (await readJsonFileIfExists(GoldenIndexSchema, path.join(goldensDir, GOLDENS_INDEX_FILE))) ?? {};
  const results: GoldenResultView[] = [];
  for (const entry of report.comparisons) results.push(await resultView(entry, { reportDir, goldensDir, index, reportCreatedAt: report.createdAt }));
  return { createdAt: report.createdAt, checkpoint: report.checkpoint.path, results };
}

/** Names of the comparisons in the current report: the only names Accept may act on. */
export async function reportedNames(reportDir: string): Promise<Set<string>> {
  const report = await readReportFile(reportDir);
  return new Set(report?.comparisons.map((c) => c.name) ?? []);
}

function readReportFile(reportDir: string): Promise<GoldenReport | undefined> {
  return readJsonFileIfExists(GoldenReportSchema, path.join(reportDir, REPORT_FILE));
}

interface Context {
  reportDir: string;
  goldensDir: string;
  index: GoldenIndex;
  reportCreatedAt: string;
}

async function resultView(entry: ReportEntry, ctx: Context): Promise<GoldenResultView> {
  // The current golden, not the report's expected.png snapshot, so an accept shows at once.
  const currentGolden = await urlInside(ctx.goldensDir, '/goldens', `${entry.name}.png`);
  return {
    name: entry.name,
    kind: entry.kind,
    seed: entry.seed,
    grid: entry.grid,
    status: entry.status,
    expectedUrl: currentGolden ?? (await urlInside(ctx.reportDir, '/report', entry.expected)),
    actualUrl: await urlInside(ctx.reportDir, '/report', entry.actual),
    diffUrl: await urlInside(ctx.reportDir, '/report', entry.diff),
    differingPixels: entry.diffPixels,
    ratio: entry.diffRatio,
    maxDelta: entry.maxDelta,
    threshold: entry.thresholds.threshold,
    allowedPixels: entry.thresholds.maxDiffPixels,
    message: entry.message,
    acceptedSinceReport: wasAcceptedAfter(ctx.index[entry.name], ctx.reportCreatedAt),
  };
}

function wasAcceptedAfter(record: GoldenIndex[string] | undefined, reportCreatedAt: string): boolean {
  return record?.via === 'accept' && Date.parse(record.createdAt) > Date.parse(reportCreatedAt);
}

/**
 * URL of `relative` (a path from the report) under `root`, or null when it is null, does not exist,
 * or resolves outside the root (`..`, absolute, symlink): the report never makes the server hand
 * out a file it would not serve anyway.
 */
async function urlInside(root: string, urlPrefix: string, relative: string | null): Promise<string | null> {
  if (relative === null || relative === '' || relative.includes('\0') || path.isAbsolute(relative)) return null;
  const realRoot = await realpathOrNull(root);
  const candidate = realRoot === null ? null : await realpathOrNull(path.join(realRoot, relative));
  if (realRoot === null || candidate === null || !isInside(realRoot, candidate)) return null;
  if (!(await fs.stat(candidate).catch(() => null))?.isFile()) return null;
  return `${urlPrefix}/${path.relative(realRoot, candidate).split(path.sep).map(encodeURIComponent).join('/')}`;
}
