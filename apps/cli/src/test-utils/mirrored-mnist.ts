import { mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, STANDARD_FILE_NAMES, encodeIdx, loadRawSplit, resolveMnistSource } from '@cvae/dataset';

/**
 * Another MNIST-format dataset (other files, other sha256s, same labels): the first images of each
 * MNIST split, mirrored left to right, as IDX files in `out` (default: a new temp directory).
 */
export function writeMirroredMnist(counts: { train: number; test: number }, out = mkdtempSync(path.join(os.tmpdir(), 'cvae-mirrored-'))): string {
  for (const split of ['train', 'test'] as const) {
    const raw = loadRawSplit(split, resolveMnistSource());
    const count = counts[split];
    const pixels = new Uint8Array(count * 784);
    for (let i = 0; i < count; i++) for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) pixels[i * 784 + y * 28 + x] = raw.pixels[i * 784 + y * 28 + 27 - x];
    writeFileSync(path.join(out, STANDARD_FILE_NAMES[`${split}-images`]), encodeIdx(IDX_IMAGES_MAGIC, [count, 28, 28], pixels));
    writeFileSync(path.join(out, STANDARD_FILE_NAMES[`${split}-labels`]), encodeIdx(IDX_LABELS_MAGIC, [count], raw.labels.slice(0, count)));
  }
  return out;
}
