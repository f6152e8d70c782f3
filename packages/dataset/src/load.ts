import { loadRawSplit, resolveMnistSource, Split } from './mnist';
import { Binarization, ImageSet, preprocess } from './preprocess';

export interface LoadOptions {
  /** Directory with the four standard IDX files (raw or .gz); omit for the embedded MNIST. */
  dataDir?: string;
  /** Threshold on [0, 1] (default 0.5, as in the seed) or 'none' for grayscale. */
  binarization?: Binarization;
  /** Keep only the first N images. */
  limit?: number;
}

/** Loads and preprocesses one split in a single call. */
export function loadSplit(split: Split, options: LoadOptions = {}): ImageSet {
  const raw = loadRawSplit(split, resolveMnistSource(options.dataDir));
  return preprocess(raw, options.binarization ?? 0.5, options.limit);
}
