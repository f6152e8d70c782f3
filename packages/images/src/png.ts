import { promises as fs } from 'fs';
import { PNG } from 'pngjs';
import { writeFileAtomic } from './files';
import type { Image8 } from './grid';

const PNG_COLOR_TYPE = { gray: 0, rgb: 2, rgba: 6 } as const;

/** Encodes an Image8 as an 8-bit grayscale (1 channel) or RGB (3 channels) PNG. */
export function encodePng(image: Image8): Buffer {
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
}

export function decodePng(bytes: Uint8Array): DecodedPng {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { width: png.width, height: png.height, rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
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
