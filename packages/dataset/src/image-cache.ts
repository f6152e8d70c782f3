/**
 * Decoded image folders, cached as uint8 so that a second run reads bytes instead of decoding again.
 *
 * Where: `<workspace>/.cache/datasets/<key>/`, the workspace found by the rule of @cvae/formats'
 * workspaceRoot ($CVAE_WORKSPACE, else the nearest directory holding nx.json) — repeated here because
 * this package is a leaf and imports no other; with no workspace, `<dataset>/.cvae-cache/<key>/`
 * (a dot-directory, which the folder scan skips). `LoadOptions.cacheDir` chooses another root.
 *
 * The key is a hash of everything that decides the bytes: the files (manifest), layout, classes,
 * split, preprocessing, the cache format and the decoder's version — not the folder's location, so
 * copies of one folder share an entry. An entry is a directory written under a temp name and renamed
 * into place: a reader sees a whole entry or none.
 */
import { createHash, randomBytes } from 'crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'fs';
import * as path from 'path';
import type { ImageFolderIdentity } from './image-folder';
import type { Split } from './mnist';

/** Bump when the entry's files change meaning. */
export const IMAGE_CACHE_FORMAT = 1;
const WORKSPACE_ENV = 'CVAE_WORKSPACE';
const WORKSPACE_MARKER = 'nx.json';
const META_FILE = 'meta.json';
const SPLITS: Split[] = ['train', 'test'];

export interface CachedSplit {
  /** count × height × width × channels bytes (NHWC). */
  pixels: Uint8Array;
  labels: Uint8Array;
}

export interface CacheMeta {
  format: number;
  key: string;
  decoder: string;
  identity: ImageFolderIdentity;
  /** Each split's files in stored order, relative to the folder (which image is which row). */
  files: Record<Split, string[]>;
}

/** The cache root for a dataset at `datasetDir` (see the file comment). */
export function defaultCacheRoot(datasetDir: string, cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string {
  const workspace = findWorkspace(cwd, env[WORKSPACE_ENV]);
  return workspace === undefined ? path.join(path.resolve(datasetDir), '.cvae-cache') : path.join(workspace, '.cache', 'datasets');
}

function findWorkspace(cwd: string, override: string | undefined): string | undefined {
  if (override !== undefined && override !== '') return path.resolve(cwd, override);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, WORKSPACE_MARKER))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** 32 hex digits naming what the entry holds. */
export function imageCacheKey(identity: ImageFolderIdentity, decoder: string): string {
  const { layout, classes, split, preprocess } = identity.imageFolder;
  const decides = { format: IMAGE_CACHE_FORMAT, decoder, layout, manifest: identity.files.manifest, classes, split, preprocess };
  return createHash('sha256').update(JSON.stringify(decides)).digest('hex').slice(0, 32);
}

export type CacheLookup = { status: 'hit'; splits: Record<Split, CachedSplit> } | { status: 'miss' } | { status: 'invalid'; reason: string };

/** Reads an entry, checking it is the one asked for and that every file has its expected length. */
export function readImageCache(root: string, key: string, identity: ImageFolderIdentity): CacheLookup {
  const dir = path.join(root, key);
  let meta: CacheMeta;
  try {
    meta = JSON.parse(readFileSync(path.join(dir, META_FILE), 'utf8')) as CacheMeta;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? { status: 'miss' } : { status: 'invalid', reason: `${META_FILE} unreadable` };
  }
  if (meta.format !== IMAGE_CACHE_FORMAT || meta.key !== key) return { status: 'invalid', reason: 'another format or key' };
  const { height, width, channels } = identity.imageFolder.preprocess;
  const splits = {} as Record<Split, CachedSplit>;
  for (const split of SPLITS) {
    const count = identity.imageFolder.counts[split];
    const pixels = readBytes(path.join(dir, `${split}.pixels`));
    const labels = readBytes(path.join(dir, `${split}.labels`));
    if (pixels?.length !== count * height * width * channels || labels?.length !== count) return { status: 'invalid', reason: `${split} files of the wrong length` };
    splits[split] = { pixels, labels };
  }
  return { status: 'hit', splits };
}

/** Writes an entry atomically (temp directory, fsync, rename); if another process wrote the same entry first, keeps that one. */
export function writeImageCache(root: string, meta: CacheMeta, splits: Record<Split, CachedSplit>): void {
  mkdirSync(root, { recursive: true });
  const temp = path.join(root, `${meta.key}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(temp);
  try {
    for (const split of SPLITS) {
      writeDurably(path.join(temp, `${split}.pixels`), splits[split].pixels);
      writeDurably(path.join(temp, `${split}.labels`), splits[split].labels);
    }
    writeDurably(path.join(temp, META_FILE), `${JSON.stringify(meta)}\n`);
    fsyncDirectory(temp);
    renameIntoPlace(temp, path.join(root, meta.key));
    fsyncDirectory(root);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

/** Removes an entry (one found invalid, before it is written again). */
export function removeImageCacheEntry(root: string, key: string): void {
  rmSync(path.join(root, key), { recursive: true, force: true });
}

function renameIntoPlace(temp: string, final: string): void {
  try {
    renameSync(temp, final);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The same key means the same bytes: a concurrent writer's entry is as good as ours.
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
}

function readBytes(file: string): Uint8Array | undefined {
  try {
    const buffer = readFileSync(file);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch {
    return undefined;
  }
}

function writeDurably(file: string, bytes: Uint8Array | string): void {
  const fd = openSync(file, 'w');
  try {
    const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
    for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
