import { promises as fs } from 'fs';
import * as path from 'path';
import type { GoldenResultView, GoldenStatus, ReportView } from '../shared/api-types';
import { readJsonOrNull } from './runs';
import { isInside, realpathOrNull } from './safe-path';

/**
 * Reads the golden report written by @cvae/evaluation (checkGoldens): `<reportDir>/report.json`
 * with `comparisons[]` whose image paths are relative to the report directory, and
 * `<goldensDir>/goldens.json` for what was accepted since.
 */
export const REPORT_FILE = 'report.json';
const GOLDENS_INDEX_FILE = 'goldens.json';
const STATUSES: readonly GoldenStatus[] = ['pass', 'fail', 'missing', 'size-mismatch'];

type Json = Record<string, unknown>;

/** The latest report with every image path turned into a URL the server serves (or null). */
export async function readReport(reportDir: string, goldensDir: string): Promise<ReportView | null> {
  const raw = await readJsonOrNull(path.join(reportDir, REPORT_FILE));
  if (raw === null || !Array.isArray(raw.comparisons)) return null;
  const index = (await readJsonOrNull(path.join(goldensDir, GOLDENS_INDEX_FILE))) ?? {};
  const createdAt = stringOrNull(raw.createdAt);
  const results: GoldenResultView[] = [];
  for (const entry of raw.comparisons as unknown[]) {
    if (isObject(entry)) results.push(await resultView(entry, { reportDir, goldensDir, index, reportCreatedAt: createdAt }));
  }
  return { createdAt, checkpoint: checkpointLabel(raw.checkpoint), results };
}

/** Names of the comparisons in the current report: the only names Accept may act on. */
export async function reportedNames(reportDir: string): Promise<Set<string>> {
  const raw = await readJsonOrNull(path.join(reportDir, REPORT_FILE));
  const comparisons = Array.isArray(raw?.comparisons) ? (raw.comparisons as unknown[]) : [];
  return new Set(comparisons.filter(isObject).map((c) => c.name).filter((n): n is string => typeof n === 'string'));
}

interface Context {
  reportDir: string;
  goldensDir: string;
  index: Json;
  reportCreatedAt: string | null;
}

async function resultView(entry: Json, ctx: Context): Promise<GoldenResultView> {
  const name = stringOrNull(entry.name) ?? '(unnamed)';
  const thresholds = isObject(entry.thresholds) ? entry.thresholds : {};
  // The current golden, not the report's expected.png snapshot, so an accept shows at once.
  const currentGolden = await urlInside(ctx.goldensDir, '/goldens', `${name}.png`);
  return {
    name,
    kind: stringOrNull(entry.kind) ?? 'image',
    seed: numberOrNull(entry.seed),
    grid: numberOrNull(entry.grid),
    status: STATUSES.includes(entry.status as GoldenStatus) ? (entry.status as GoldenStatus) : 'fail',
    expectedUrl: currentGolden ?? (await urlInside(ctx.reportDir, '/report', entry.expected)),
    actualUrl: await urlInside(ctx.reportDir, '/report', entry.actual),
    diffUrl: await urlInside(ctx.reportDir, '/report', entry.diff),
    differingPixels: numberOrNull(entry.diffPixels),
    ratio: numberOrNull(entry.diffRatio),
    maxDelta: numberOrNull(entry.maxDelta),
    threshold: numberOrNull(thresholds.threshold),
    allowedPixels: numberOrNull(thresholds.maxDiffPixels),
    message: stringOrNull(entry.message) ?? '',
    acceptedSinceReport: wasAcceptedAfter(ctx.index[name], ctx.reportCreatedAt),
  };
}

function wasAcceptedAfter(record: unknown, reportCreatedAt: string | null): boolean {
  if (!isObject(record) || record.via !== 'accept' || typeof record.createdAt !== 'string' || reportCreatedAt === null) return false;
  return Date.parse(record.createdAt) > Date.parse(reportCreatedAt);
}

/**
 * URL of `relative` (a path from the report) under `root`, or null when it is not a string, does
 * not exist, or resolves outside the root (`..`, absolute, symlink): the report never makes the
 * server hand out a file it would not serve anyway.
 */
async function urlInside(root: string, urlPrefix: string, relative: unknown): Promise<string | null> {
  if (typeof relative !== 'string' || relative === '' || relative.includes('\0') || path.isAbsolute(relative)) return null;
  const realRoot = await realpathOrNull(root);
  const candidate = realRoot === null ? null : await realpathOrNull(path.join(realRoot, relative));
  if (realRoot === null || candidate === null || !isInside(realRoot, candidate)) return null;
  if (!(await fs.stat(candidate).catch(() => null))?.isFile()) return null;
  return `${urlPrefix}/${path.relative(realRoot, candidate).split(path.sep).map(encodeURIComponent).join('/')}`;
}

/** `checkpoint` is {path, weights} in report format 1; a plain string is shown as is. */
function checkpointLabel(checkpoint: unknown): string | null {
  if (typeof checkpoint === 'string') return checkpoint;
  return isObject(checkpoint) ? stringOrNull(checkpoint.path) : null;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
