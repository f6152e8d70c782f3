import { statSync } from 'fs';
import { sha256File } from './hash';
import { datasetShortHash } from './identity';
import { DatasetError } from './idx';
import { ImageFolderIdentity, ImageFolderLayout, ImageFolderOptions, ImageFolderScan, imageFolderIdentity, imageSizes, preprocessFor, scanImageFolder } from './image-folder';
import { loadRawSplit, MnistSource, Split } from './mnist';
import { resolveDataSource } from './source';

export { sha256File } from './hash';

export interface SplitInfo {
  count: number;
  /** labelHistogram[d] = number of images labelled d (for an image folder: of class d; empty when unlabelled). */
  labelHistogram: number[];
}

/** An IDX dataset: counts, histograms, size and the sha256 of each of its four files. */
export interface IdxDatasetInfo {
  source: MnistSource['kind'];
  dir: string;
  imageSize: { height: number; width: number };
  train: SplitInfo;
  test: SplitInfo;
  files: { role: string; path: string; bytes: number; sha256: string }[];
}

/** An image folder, described without decoding: layout, classes, counts per split, the images' sizes and its identity. */
export interface ImageFolderInfo {
  source: 'image-folder';
  dir: string;
  layout: ImageFolderLayout;
  classes: string[];
  train: SplitInfo;
  test: SplitInfo;
  /** Distinct `HxW` sizes and how many images have each, most common first. */
  imageSizes: { size: string; images: number }[];
  /** True when every image is grey (the natural shape then has 1 channel). */
  grayscale: boolean;
  /** With the target shape given or natural; absent (and `identityProblem` says why) when the sizes differ and none was given. */
  identity?: ImageFolderIdentity;
  shortHash?: string;
  identityProblem?: string;
}

export type DatasetInfo = IdxDatasetInfo | ImageFolderInfo;

/** Describes a dataset (`cvae data info`): IDX by counts, histograms and file hashes; an image folder by its scan and identity. */
export function describeDataset(dataDir?: string, options: ImageFolderOptions = {}): DatasetInfo {
  const found = resolveDataSource(dataDir);
  return found.kind === 'idx' ? describeIdx(found.source) : describeImageFolder(scanImageFolder(found.dir, options), options);
}

function describeIdx(source: MnistSource): IdxDatasetInfo {
  const [train, test] = (['train', 'test'] as Split[]).map((split) => loadRawSplit(split, source));
  return {
    source: source.kind,
    dir: source.dir,
    imageSize: { height: train.height, width: train.width },
    train: { count: train.count, labelHistogram: histogram(train.labels) },
    test: { count: test.count, labelHistogram: histogram(test.labels) },
    files: Object.entries(source.files).map(([role, path]) => ({
      role,
      path,
      bytes: statSync(path).size,
      sha256: sha256File(path),
    })),
  };
}

function describeImageFolder(scan: ImageFolderScan, options: ImageFolderOptions): ImageFolderInfo {
  const splitInfo = (split: Split): SplitInfo => {
    const counts = new Array<number>(scan.classes.length).fill(0);
    for (const file of scan.splits[split]) if (scan.classes.length > 0) counts[file.label]++;
    return { count: scan.splits[split].length, labelHistogram: counts };
  };
  const info: ImageFolderInfo = {
    source: 'image-folder',
    dir: scan.dir,
    layout: scan.layout,
    classes: scan.classes,
    train: splitInfo('train'),
    test: splitInfo('test'),
    imageSizes: imageSizes(scan),
    grayscale: [...scan.splits.train, ...scan.splits.test].every((file) => file.header.grayscale),
  };
  try {
    const identity = imageFolderIdentity(scan, preprocessFor(scan, options));
    return { ...info, identity, shortHash: datasetShortHash(identity) };
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    return { ...info, identityProblem: error.message };
  }
}

function histogram(labels: Uint8Array): number[] {
  const counts = new Array<number>(Math.max(9, ...labels) + 1).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}
