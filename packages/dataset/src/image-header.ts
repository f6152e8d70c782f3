/**
 * The size and colour of a PNG or JPEG from its first bytes, read synchronously while the file is
 * hashed: enough to pick a folder's natural shape and to reject a non-image before any decoding.
 * The format comes from the bytes, not the file name (as for IDX's gzip detection).
 */

export interface ImageHeader {
  format: 'png' | 'jpeg';
  width: number;
  height: number;
  /** True for PNG colour types 0 and 4 (grey, grey + alpha) and one-component JPEGs. */
  grayscale: boolean;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_GRAY = 0;
const PNG_GRAY_ALPHA = 4;

/** The header, or a reason (for "cannot be decoded as an image (reason)") when the bytes are neither format. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | string {
  if (startsWith(bytes, PNG_SIGNATURE)) return pngHeader(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return jpegHeader(bytes);
  const start = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `neither PNG nor JPEG data: starts with ${start || 'nothing (empty file)'}`;
}

function pngHeader(bytes: Uint8Array): ImageHeader | string {
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4), bit depth (1), colour type (1).
  if (bytes.length < 26 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return 'PNG without an IHDR header';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const colourType = bytes[25];
  return { format: 'png', width: view.getUint32(16), height: view.getUint32(20), grayscale: colourType === PNG_GRAY || colourType === PNG_GRAY_ALPHA };
}

/** Start-of-frame markers (baseline, progressive, lossless…); C4, C8 and CC are other segments. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function jpegHeader(bytes: Uint8Array): ImageHeader | string {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return `JPEG segment marker expected at byte ${i}`;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (isStartOfFrame(marker)) {
      if (i + 10 > bytes.length) break;
      const height = (bytes[i + 5] << 8) | bytes[i + 6];
      const width = (bytes[i + 7] << 8) | bytes[i + 8];
      return { format: 'jpeg', width, height, grayscale: bytes[i + 9] === 1 };
    }
    i += 2 + length;
  }
  return 'JPEG without a start-of-frame header (truncated?)';
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}
