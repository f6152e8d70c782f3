import { promises as fs } from 'fs';
import * as path from 'path';
import { ComparisonResultSchema, GoldenThresholds, parseJsonText } from '@cvae/formats';
import { decodePng } from '@cvae/images';
import { type CVAE } from '@cvae/model';
import { compareImages } from './compare';
import { renderGoldens } from './golden-render';
import { GoldenProvenance, GoldenRecord, assertGoldenName, readGoldenIndex, readGoldenPng, writeGolden } from './golden-store';
import { withGoldensLock } from './golden-writes';
import { EvaluationSource, withLoadedModel } from './load';
import { removeObsoleteGoldens } from './obsolete';
import { LoadedSuite, defaultSuiteDir, defaultSuiteReportDir, readSuite, suiteCheckpointDir } from './suite';
import { sameWeights } from './provenance';

export interface GoldenChange {
  name: string;
  status: 'created' | 'updated' | 'unchanged' | 'removed';
  /** Why it was (or was not) rewritten, for people. */
  reason: string;
}

export interface UpdateGoldensOptions {
  /** The suite directory (default: suites/reference). */
  suiteDir?: string;
  /** Rewrite these images (default: every image of the suite that is missing or changed). */
  names?: string[];
  /** Default: the suite's checkpoint. */
  checkpoint?: string;
  backend?: string;
  dataDir?: string;
  /** Also remove obsolete goldens (files or index entries no image of suite.json produces); default true without names. */
  removeObsolete?: boolean;
}

/**
 * Renders the suite's images and writes the ones that need it: named images whenever their bytes or
 * provenance differ; otherwise only images that are missing, fail their comparison, or were made from
 * other weights or another recipe — noise within tolerance (another compute path) does not churn
 * the goldens. Without names, obsolete goldens are removed too.
 */
export async function updateGoldens(options: UpdateGoldensOptions = {}): Promise<GoldenChange[]> {
  const loaded = await readSuite(options.suiteDir ?? defaultSuiteDir());
  const checkpoint = options.checkpoint ?? suiteCheckpointDir(loaded.suite);
  return withLoadedModel({ ...options, checkpoint }, (model, source) => updateGoldensForModel(model, source, loaded, options));
}

export async function updateGoldensForModel(
  model: CVAE,
  source: EvaluationSource,
  loaded: LoadedSuite,
  options: Pick<UpdateGoldensOptions, 'names' | 'removeObsolete'> = {},
): Promise<GoldenChange[]> {
  const goldensDir = loaded.dir;
  const rendered = renderGoldens(model, source, loaded.suite, options.names);
  const explicit = (options.names ?? []).length > 0;
  const removeObsolete = options.removeObsolete ?? !explicit;
  // Decided and written under the lock, against the goldens as they are then (an Accept may have landed meanwhile).
  return withGoldensLock(goldensDir, `cvae golden update ${goldensDir}`, async () => {
    const index = await readGoldenIndex(goldensDir);
    const changes: GoldenChange[] = [];
    for (const { name, image, png, provenance, thresholds } of rendered) {
      const existing = await readGoldenPng(goldensDir, name);
      const reason = reasonToWrite(existing, png, index[name], provenance, explicit, thresholds);
      if (reason === undefined) {
        changes.push({ name, status: 'unchanged', reason: 'matches the golden within its tolerance' });
        continue;
      }
      await writeGolden(goldensDir, name, png, image, provenance, 'update');
      changes.push({ name, status: existing === undefined ? 'created' : 'updated', reason });
    }
    const removed = removeObsolete ? await removeObsoleteGoldens(goldensDir, loaded.suite) : [];
    return [...changes, ...removed.map((name): GoldenChange => ({ name, status: 'removed', reason: 'obsolete: no image of suite.json produces it' }))];
  });
}

/** Why a golden should be rewritten with `png` (undefined: it should not); `cvae accept` decides the same way. */
export function reasonToWrite(
  existing: Buffer | undefined,
  png: Uint8Array,
  record: GoldenRecord | undefined,
  provenance: GoldenProvenance,
  explicit: boolean,
  thresholds: GoldenThresholds,
): string | undefined {
  if (existing === undefined) return 'no golden yet';
  if (record === undefined) return 'not recorded in goldens.json';
  if (!sameWeights(record.checkpoint, provenance.checkpoint)) return `made from other weights (${record.checkpoint.path})`;
  if (JSON.stringify(recipe(record)) !== JSON.stringify(recipe(provenance))) return 'recipe in golden.config.json changed';
  const comparison = compareImages(decodePng(existing), decodePng(png), thresholds);
  if (comparison.status !== 'pass') {
    return comparison.status === 'size-mismatch'
      ? `shape changed (${comparison.mismatch})`
      : `${comparison.diffPixels} pixels differ (allowed ${thresholds.maxDiffPixels}, max delta ${comparison.maxDelta}/255)`;
  }
  if (explicit && !Buffer.from(png).equals(existing)) return `named: ${comparison.diffPixels} pixels differ within thresholds (max delta ${comparison.maxDelta}/255)`;
  return undefined;
}

function recipe(p: GoldenProvenance): unknown[] {
  return [p.kind, p.seed, p.grid, p.indices ?? null, p.count ?? null];
}

export interface AcceptGoldenOptions {
  /** The report holding `<name>/actual.png` (default: reports/<suite name>). */
  reportDir?: string;
  /** The suite directory (default: suites/reference). */
  suiteDir?: string;
}

/**
 * Promotes `<reportDir>/<name>/actual.png` to the golden `<goldensDir>/<name>.png` (atomic) and
 * records the provenance saved in that report's result.json in goldens.json — the viewer's
 * Accept button. Same write path as updateGoldens.
 */
export async function acceptGolden(name: string, options: AcceptGoldenOptions = {}): Promise<GoldenRecord> {
  assertGoldenName(name);
  const goldensDir = path.resolve(options.suiteDir ?? defaultSuiteDir());
  const reportDir = path.resolve(options.reportDir ?? defaultSuiteReportDir(path.basename(goldensDir)));
  const imageDir = path.join(reportDir, name);
  const png = await readOrExplain(path.join(imageDir, 'actual.png'), name);
  const resultFile = path.join(imageDir, 'result.json');
  const result = parseJsonText(ComparisonResultSchema, (await readOrExplain(resultFile, name)).toString('utf8'), resultFile);
  const { width, height } = decodePng(png);
  return withGoldensLock(goldensDir, `accept golden ${name}`, () => writeGolden(goldensDir, name, png, { width, height }, result.provenance, 'accept'));
}

async function readOrExplain(file: string, name: string): Promise<Buffer> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`cannot accept golden ${name}: ${file} does not exist (only failed or missing comparisons leave an actual.png; run the golden check first)`);
    throw error;
  }
}
