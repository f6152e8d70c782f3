/**
 * Decoding with sharp (libvips): PNG or JPEG → alpha composited onto the background → sRGB bytes; then,
 * here in exact integer code, grey when one channel is asked for and the area resize to the target.
 * EXIF orientation is not applied (neither torchvision's PIL loader nor Keras' decode_image does).
 */
import { availableParallelism } from 'os';
import * as path from 'path';
import { readFileSync } from 'fs';
import type { OutputInfo } from 'sharp';
import { DatasetError } from './idx';
import type { ImageFolderPreprocess } from './image-folder';
import { areaResize, rgbToGray } from './image-pixels';

let decodes = 0;

/** How many images this process has decoded, plus those its decoder processes reported (tests check the cache with it). */
export function imageDecodeStats(): { decoded: number } {
  return { decoded: decodes };
}

/** Adds decodes done by a decoder process on this process's behalf. */
export function countDecodes(count: number): void {
  decodes += count;
}

/** `sharp@<version>`: decoders of other versions may decode JPEGs to other bytes, so it is part of the cache key. */
export function decoderVersion(): string {
  // sharp's exports hide its package.json; its main file sits in dist/ beside it.
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(require.resolve('sharp')), '..', 'package.json'), 'utf8')) as { version: string };
  return `sharp@${manifest.version}`;
}

/** One image as height × width × channels bytes (HWC) in the preprocessing's shape. */
export async function decodeImageFile(file: string, preprocess: ImageFolderPreprocess): Promise<Uint8Array> {
  const [r, g, b] = preprocess.background;
  // Loaded on first use: importing @cvae/dataset (every worker thread does) should not load a native addon it may never need.
  const { default: sharp } = await import('sharp');
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(file, { failOn: 'warning' })
      .flatten({ background: { r, g, b } })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw new DatasetError(`${file}: cannot be decoded as an image (${oneLine(error)})`);
  }
  decodes++;
  const { width, height, channels } = decoded.info;
  if (channels !== 3) throw new DatasetError(`${file}: decoded to ${channels} channels, expected 3 after flattening to sRGB`);
  const rgb = new Uint8Array(decoded.data.buffer, decoded.data.byteOffset, decoded.data.byteLength);
  const source = preprocess.channels === 1 ? { height, width, channels: 1, data: rgbToGray(rgb) } : { height, width, channels: 3, data: rgb };
  return areaResize(source, preprocess.height, preprocess.width).data;
}

/** Decodes `files` into one NHWC array, a few at a time (sharp works on libuv's threads). */
export async function decodeImageFiles(files: string[], preprocess: ImageFolderPreprocess): Promise<Uint8Array> {
  const imageBytes = preprocess.height * preprocess.width * preprocess.channels;
  const out = new Uint8Array(files.length * imageBytes);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) out.set(await decodeImageFile(files[i], preprocess), i * imageBytes);
  };
  await Promise.all(Array.from({ length: Math.min(files.length, 2 * availableParallelism()) }, worker));
  return out;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').map((line) => line.trim()).filter(Boolean).join('; ') || 'no reason given';
}
