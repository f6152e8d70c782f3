/** The golden PNGs of a suite and their index (goldens.json), beside suite.json. */
import { promises as fs } from 'fs';
import * as path from 'path';
import { GOLDEN_NAME_PATTERN, GoldenIndex, GoldenProvenance, GoldenRecord, GoldenThresholds, ImageSetSpec, Suite, SuiteImage, sha256Hex } from '@cvae/formats';
import { GOLDENS_INDEX_FILE, readIndex, writeGoldenEntry } from './golden-writes';

export type { GoldenIndex, GoldenProvenance, GoldenRecord };
export { GOLDENS_INDEX_FILE };

export function assertGoldenName(name: string): void {
  if (!GOLDEN_NAME_PATTERN.test(name)) throw new RangeError(`invalid golden name '${name}' (letters, digits, '-' and '_' only)`);
}

export function goldenFile(goldensDir: string, name: string): string {
  assertGoldenName(name);
  return path.join(goldensDir, `${name}.png`);
}

export function thresholdsFor(suite: Suite, name: string): GoldenThresholds {
  return suite.images[name].tolerance;
}

export function specOf(image: SuiteImage | ImageSetSpec): ImageSetSpec {
  const { kind, seed, grid, indices, count } = image;
  return { kind, seed, grid, ...(indices === undefined ? {} : { indices }), ...(count === undefined ? {} : { count }) };
}

/** Selects a suite's images by name (all when `names` is empty); unknown names are an error. */
export function selectImages(suite: Suite, names: readonly string[] = []): string[] {
  const known = Object.keys(suite.images);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new RangeError(`unknown golden ${unknown.map((n) => `'${n}'`).join(', ')} (the suite has: ${known.join(', ')})`);
  return names.length > 0 ? [...new Set(names)] : known;
}

export function readGoldenIndex(goldensDir: string): Promise<GoldenIndex> {
  return readIndex(goldensDir);
}

export async function readGoldenPng(goldensDir: string, name: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(goldenFile(goldensDir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The one write path for goldens (used by `updateGoldens` and `acceptGolden`), through the crash-safe
 * protocol of golden-writes.ts. Call it inside withGoldensLock.
 */
export async function writeGolden(
  goldensDir: string,
  name: string,
  png: Uint8Array,
  size: { width: number; height: number },
  provenance: GoldenProvenance,
  via: GoldenRecord['via'],
): Promise<GoldenRecord> {
  const file = goldenFile(goldensDir, name);
  const record: GoldenRecord = {
    file: path.basename(file),
    ...provenance,
    width: size.width,
    height: size.height,
    sha256: sha256Hex(png),
    createdAt: new Date().toISOString(),
    via,
  };
  await writeGoldenEntry(goldensDir, name, png, record);
  return record;
}
