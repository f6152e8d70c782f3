import { DatasetError } from './idx';
import { defaultCacheRoot } from './image-cache';
import { ImageFolderOptions, ImageShape, planImageFolder } from './image-folder';
import { loadImageFolder } from './image-folder-load';
import { loadRawSplit, MnistSource, RawImageSet, Split } from './mnist';
import { Binarization, ImageSet, preprocess } from './preprocess';
import { resolveDataSource } from './source';

export interface LoadOptions extends ImageFolderOptions {
  /**
   * A directory with the four standard IDX files (raw or .gz), or an image folder
   * (`DIR/<class>/*.png|jpg|jpeg`, `DIR/train/…` + `DIR/test/…`, or `DIR/*.png`); omit for the embedded MNIST.
   */
  dataDir?: string;
  /** Threshold on [0, 1] (default 0.5, as in the seed) or 'none' for grayscale. */
  binarization?: Binarization;
  /** Keep only the first N images. */
  limit?: number;
  /** Root of the decoded-image cache (default: `<workspace>/.cache/datasets`, see image-cache.ts). */
  cacheDir?: string;
}

/** One split as uint8 NHWC: the IDX bytes as stored, or an image folder decoded (once, then from the cache). */
export function loadRawImages(split: Split, options: LoadOptions = {}): RawImageSet {
  const found = resolveDataSource(options.dataDir);
  if (found.kind === 'idx') return checkedIdxShape(loadRawSplit(split, found.source), found.source, split, options.shape);
  const plan = planImageFolder(found.dir, options);
  return loadImageFolder(plan, options.cacheDir ?? defaultCacheRoot(found.dir))[split];
}

/** Loads and preprocesses one split in a single call. */
export function loadSplit(split: Split, options: LoadOptions = {}): ImageSet {
  return preprocess(loadRawImages(split, options), options.binarization ?? 0.5, options.limit);
}

/** IDX images are used at their stored size (any size); a target shape other than theirs is refused rather than resized. */
function checkedIdxShape(raw: RawImageSet, source: MnistSource, split: Split, shape: ImageShape | undefined): RawImageSet {
  if (shape === undefined || (shape[0] === raw.height && shape[1] === raw.width && shape[2] === 1)) return raw;
  throw new DatasetError(`${source.files[`${split}-images`]}: IDX images are ${raw.height}x${raw.width}x1, but the target shape is ${shape.join('x')} (IDX images are not resized)`);
}
