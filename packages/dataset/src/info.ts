import { createHash } from 'crypto';
import { readFileSync, statSync } from 'fs';
import { loadRawSplit, MnistSource, resolveMnistSource, Split } from './mnist';

export interface SplitInfo {
  count: number;
  /** labelHistogram[d] = number of images labelled d. */
  labelHistogram: number[];
}

export interface DatasetInfo {
  source: MnistSource['kind'];
  dir: string;
  imageSize: { height: number; width: number };
  train: SplitInfo;
  test: SplitInfo;
  files: { role: string; path: string; bytes: number; sha256: string }[];
}

/** Describes a dataset: counts, label histograms, image size and the sha256 of each source file. */
export function describeDataset(dataDir?: string): DatasetInfo {
  const source = resolveMnistSource(dataDir);
  const splits = (['train', 'test'] as Split[]).map((split) => loadRawSplit(split, source));
  const [train, test] = splits;
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

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function histogram(labels: Uint8Array): number[] {
  const counts = new Array<number>(Math.max(9, ...labels) + 1).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}
