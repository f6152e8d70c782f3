import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from '../idx';
import { STANDARD_FILE_NAMES } from '../mnist';

export interface TinySplit {
  pixels: Uint8Array;
  labels: Uint8Array;
  height: number;
  width: number;
}

/** A tiny deterministic split: pixel (i, p) = (7·i + 13·p) mod 256, label i mod 10. */
export function tinySplit(count: number, height = 4, width = 3): TinySplit {
  const pixels = Uint8Array.from({ length: count * height * width }, (_, k) => {
    const i = Math.floor(k / (height * width));
    return (7 * i + 13 * (k % (height * width))) % 256;
  });
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { pixels, labels, height, width };
}

/** Writes the four standard files of a tiny dataset into a new temp dir (optionally gzipped). */
export function writeTinyDataset(options: { train?: number; test?: number; gzip?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'cvae-idx-'));
  const splits = { train: tinySplit(options.train ?? 12), test: tinySplit(options.test ?? 5) };
  for (const split of ['train', 'test'] as const) {
    const { pixels, labels, height, width } = splits[split];
    const images = encodeIdx(IDX_IMAGES_MAGIC, [labels.length, height, width], pixels);
    const labelBytes = encodeIdx(IDX_LABELS_MAGIC, [labels.length], labels);
    writeFile(dir, STANDARD_FILE_NAMES[`${split}-images`], images, options.gzip);
    writeFile(dir, STANDARD_FILE_NAMES[`${split}-labels`], labelBytes, options.gzip);
  }
  return dir;
}

function writeFile(dir: string, name: string, bytes: Uint8Array, gzip?: boolean): void {
  if (gzip) writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes));
  else writeFileSync(join(dir, name), bytes);
}
