import { readFileSync } from 'fs';
import { gunzipSync } from 'zlib';

/** IDX magic numbers: two zero bytes, a type byte (0x08 = unsigned byte) and the number of dimensions. */
export const IDX_LABELS_MAGIC = 0x00000801;
export const IDX_IMAGES_MAGIC = 0x00000803;

export interface IdxArray {
  /** Sizes of each dimension, e.g. [60000, 28, 28] for images, [60000] for labels. */
  dims: number[];
  /** Row-major unsigned bytes. */
  data: Uint8Array;
}

/** Thrown for any malformed or missing dataset file; the message names the file and what was wrong. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** True when the bytes start with the gzip magic number (the file name is not trusted). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Parses an IDX buffer of unsigned bytes, checking its magic, header and byte length. */
export function parseIdx(bytes: Uint8Array, expectedMagic: number, source: string): IdxArray {
  if (bytes.length < 4) throw new DatasetError(`${source}: file too short for an IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new DatasetError(`${source}: wrong IDX magic 0x${hex(magic)}, expected 0x${hex(expectedMagic)}`);
  }
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new DatasetError(`${source}: truncated IDX header`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const expectedBytes = headerBytes + dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== expectedBytes) {
    const what = bytes.length < expectedBytes ? 'truncated' : 'has trailing bytes';
    throw new DatasetError(
      `${source}: ${what}: ${bytes.length} bytes, expected ${expectedBytes} for dimensions ${dims.join('x')}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads an IDX file, raw or gzip-compressed (detected from its first bytes). */
export function readIdxFile(path: string, expectedMagic: number): IdxArray {
  return parseIdx(readMaybeGzip(path), expectedMagic, path);
}

/** Reads a file and inflates it when its bytes say it is gzip. */
export function readMaybeGzip(path: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new DatasetError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch {
    throw new DatasetError(`${path}: starts like gzip but does not decompress (corrupted or truncated)`);
  }
}

/** Serializes dims + bytes to IDX (used by tests and tools that write small datasets). */
export function encodeIdx(magic: number, dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
