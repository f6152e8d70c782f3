import { promises as fs } from 'fs';
import { PNG } from 'pngjs';
import { writeFileAtomic } from './files';
import type { Image8 } from './grid';

const PNG_COLOR_TYPE = { gray: 0, rgb: 2, rgba: 6 } as const;

/** Encodes an Image8 as an 8-bit grayscale (1 channel, colour type 0) or RGB (3 channels, colour type 2) PNG: lossless, and the same bytes for the same image. */
export function encodePng(image: Image8): Buffer {
  const expected = image.width * image.height * image.channels;
  if (image.data.length !== expected) {
    throw new RangeError(`encodePng: a ${image.width}×${image.height} image with ${image.channels} channel(s) needs ${expected} bytes, got ${image.data.length}`);
  }
  const colorType = image.channels === 1 ? PNG_COLOR_TYPE.gray : PNG_COLOR_TYPE.rgb;
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: false, bitDepth: 8 });
}

/** An RGBA PNG, e.g. pixelmatch's diff output. */
export function encodeRgbaPng(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png, { colorType: PNG_COLOR_TYPE.rgba });
}

export interface DecodedPng {
  width: number;
  height: number;
  /** Always RGBA 8-bit, whatever the file's colour type (pngjs expands gray and RGB). */
  rgba: Uint8Array;
  /**
   * The colour channels the file stores, alpha not counted: 1 for the gray colour types (0, 4), 3 for RGB and
   * palette (2, 3, 6). Absent when the pixels come from elsewhere (a canvas), where only `rgba` is known.
   */
  channels?: 1 | 3;
}

export function decodePng(bytes: Uint8Array): DecodedPng {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const rgba = new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength);
  return { width: png.width, height: png.height, rgba, channels: png.color ? 3 : 1 };
}

/**
 * Reads a PNG back as the Image8 it holds: 1 channel for a gray PNG (where R = G = B in every pixel), else 3 (RGB).
 * Image8 has no alpha, so a PNG with a transparent pixel is refused rather than flattened.
 */
export function decodeImagePng(bytes: Uint8Array): Image8 {
  const { width, height, rgba, channels = 3 } = decodePng(bytes);
  const pixels = width * height;
  const data = new Uint8Array(pixels * channels);
  for (let i = 0; i < pixels; i++) {
    if (rgba[4 * i + 3] !== 255) throw new RangeError(`decodeImagePng: pixel ${i % width},${Math.floor(i / width)} is transparent (alpha ${rgba[4 * i + 3]}); Image8 has no alpha`);
    for (let c = 0; c < channels; c++) data[i * channels + c] = rgba[4 * i + c];
  }
  return { width, height, channels, data };
}

/** Reads any PNG back as a 1-channel image: the red channel, which is the gray value of a grayscale PNG. */
export function decodeGrayPng(bytes: Uint8Array): Image8 {
  const { width, height, rgba } = decodePng(bytes);
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = rgba[i * 4];
  return { width, height, channels: 1, data };
}

/** Writes the PNG atomically (temp file, fsync, rename) and returns the encoded bytes. */
export async function writePng(file: string, image: Image8): Promise<Buffer> {
  const bytes = encodePng(image);
  await writeFileAtomic(file, bytes);
  return bytes;
}

export async function readPng(file: string): Promise<DecodedPng> {
  return decodePng(await fs.readFile(file));
}
