import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import { readJsonIfExists, writeFileAtomic, writeJsonAtomic } from '@cvae/model';
import type { GoldenThresholds } from './compare';
import type { ImageSetSpec } from './image-sets';
import { defaultGoldensDir } from './paths';
import type { CheckpointRef } from './provenance';

export const GOLDEN_CONFIG_FILE = 'golden.config.json';
export const GOLDENS_INDEX_FILE = 'goldens.json';

/** One golden image: how to draw it and how strictly to compare it. */
export type GoldenImageConfig = ImageSetSpec & Partial<GoldenThresholds>;

/** `goldens/golden.config.json`: the committed list of goldens and their comparison thresholds. */
export interface GoldenConfig {
  comment?: string;
  defaults: GoldenThresholds;
  images: Record<string, GoldenImageConfig>;
}

/** How an image was made; stored per golden in goldens.json and per report entry in result.json. */
export interface GoldenProvenance {
  kind: ImageSetSpec['kind'];
  seed: number;
  grid: number;
  indices?: number[];
  count?: number;
  checkpoint: CheckpointRef;
  backend: string;
}

/** One entry of `goldens/goldens.json`. */
export interface GoldenRecord extends GoldenProvenance {
  file: string;
  width: number;
  height: number;
  /** sha256 of the PNG file. */
  sha256: string;
  createdAt: string;
  /** 'update' (cvae golden update) or 'accept' (promoted from a report, e.g. by the viewer). */
  via: 'update' | 'accept';
}

export type GoldenIndex = Record<string, GoldenRecord>;

const NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/i;

export function assertGoldenName(name: string): void {
  if (!NAME_PATTERN.test(name)) throw new RangeError(`invalid golden name '${name}' (letters, digits, '-' and '_' only)`);
}

export function goldenFile(goldensDir: string, name: string): string {
  assertGoldenName(name);
  return path.join(goldensDir, `${name}.png`);
}

export async function readGoldenConfig(goldensDir: string = defaultGoldensDir()): Promise<GoldenConfig> {
  const file = path.join(goldensDir, GOLDEN_CONFIG_FILE);
  const config = await readJsonIfExists<GoldenConfig>(file);
  if (config === undefined) throw new Error(`${file} is missing: it lists the golden images and their thresholds`);
  if (typeof config.images !== 'object' || config.images === null || typeof config.defaults?.threshold !== 'number' || typeof config.defaults?.maxDiffPixels !== 'number') {
    throw new Error(`${file} must have "defaults" {threshold, maxDiffPixels} and an "images" object`);
  }
  Object.keys(config.images).forEach(assertGoldenName);
  return config;
}

export function thresholdsFor(config: GoldenConfig, name: string): GoldenThresholds {
  const image = config.images[name];
  return { threshold: image?.threshold ?? config.defaults.threshold, maxDiffPixels: image?.maxDiffPixels ?? config.defaults.maxDiffPixels };
}

export function specOf(image: GoldenImageConfig): ImageSetSpec {
  const { kind, seed, grid, indices, count } = image;
  return { kind, seed, grid, ...(indices === undefined ? {} : { indices }), ...(count === undefined ? {} : { count }) };
}

/** Selects configured images by name (all when `names` is empty); unknown names are an error. */
export function selectImages(config: GoldenConfig, names: readonly string[] = []): string[] {
  const known = Object.keys(config.images);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new RangeError(`unknown golden ${unknown.map((n) => `'${n}'`).join(', ')} (configured: ${known.join(', ')})`);
  return names.length > 0 ? [...new Set(names)] : known;
}

export async function readGoldenIndex(goldensDir: string): Promise<GoldenIndex> {
  return (await readJsonIfExists<GoldenIndex>(path.join(goldensDir, GOLDENS_INDEX_FILE))) ?? {};
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
 * The one write path for goldens (used by `updateGoldens` and `acceptGolden`): the PNG first,
 * atomically, then its goldens.json entry, atomically. Not safe against two concurrent writers.
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
  await writeFileAtomic(file, png);
  const record: GoldenRecord = {
    file: path.basename(file),
    ...provenance,
    width: size.width,
    height: size.height,
    sha256: sha256(png),
    createdAt: new Date().toISOString(),
    via,
  };
  const index = await readGoldenIndex(goldensDir);
  index[name] = record;
  await writeJsonAtomic(path.join(goldensDir, GOLDENS_INDEX_FILE), sortKeys(index));
  return record;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
