import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { DatasetError, encodeIdx, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx, readIdxFile } from './idx';

const tmp = mkdtempSync(join(tmpdir(), 'cvae-idx-spec-'));

function writeTemp(name: string, bytes: Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, bytes);
  return path;
}

describe('IDX reader', () => {
  const pixels = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
  const valid = encodeIdx(IDX_IMAGES_MAGIC, [2, 3, 4], pixels);

  it('reads dimensions and bytes of a valid images file', () => {
    const parsed = readIdxFile(writeTemp('valid-images', valid), IDX_IMAGES_MAGIC);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(Array.from(pixels));
  });

  it('reads a gzipped file by its bytes even when the name has no .gz', () => {
    const parsed = readIdxFile(writeTemp('gzipped-no-suffix', gzipSync(valid)), IDX_IMAGES_MAGIC);
    expect(parsed.dims).toEqual([2, 3, 4]);
    expect(parsed.data[5]).toBe(50);
  });

  it('reads a raw file even when the name ends in .gz', () => {
    expect(readIdxFile(writeTemp('raw.gz', valid), IDX_IMAGES_MAGIC).dims).toEqual([2, 3, 4]);
  });

  it('rejects a wrong magic number, naming the file and both magics', () => {
    const path = writeTemp('labels-as-images', encodeIdx(IDX_LABELS_MAGIC, [3], new Uint8Array(3)));
    expect(() => readIdxFile(path, IDX_IMAGES_MAGIC)).toThrow(
      new DatasetError(`${path}: wrong IDX magic 0x00000801, expected 0x00000803`),
    );
  });

  it('rejects a truncated file with the expected and actual byte counts', () => {
    const path = writeTemp('truncated', valid.subarray(0, valid.length - 5));
    expect(() => readIdxFile(path, IDX_IMAGES_MAGIC)).toThrow(/truncated: 35 bytes, expected 40 for dimensions 2x3x4/);
  });

  it('rejects trailing bytes and a header cut short', () => {
    const longer = new Uint8Array(valid.length + 1);
    longer.set(valid);
    expect(() => parseIdx(longer, IDX_IMAGES_MAGIC, 'x')).toThrow(/has trailing bytes/);
    expect(() => parseIdx(valid.subarray(0, 9), IDX_IMAGES_MAGIC, 'x')).toThrow(/truncated IDX header/);
    expect(() => parseIdx(new Uint8Array(2), IDX_IMAGES_MAGIC, 'x')).toThrow(/too short/);
  });

  it('rejects a missing file and a corrupted gzip stream', () => {
    expect(() => readIdxFile(join(tmp, 'nope'), IDX_IMAGES_MAGIC)).toThrow(/nope: cannot read \(ENOENT\)/);
    const corrupt = gzipSync(valid).subarray(0, 20);
    expect(() => readIdxFile(writeTemp('corrupt-gz', corrupt), IDX_IMAGES_MAGIC)).toThrow(/does not decompress/);
  });
});
