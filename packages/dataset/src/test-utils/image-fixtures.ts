import { mkdirSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import sharp from 'sharp';

/** A new temp directory; tests remove theirs with removeTempDirs() in afterAll. */
const made: string[] = [];
export function tempDir(prefix = 'cvae-image-folder-'): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export type Pixel = number[];
export type Format = 'png' | 'jpeg';

/**
 * Writes a real image file with sharp: `pixels(x, y)` gives each pixel's channel values (1 grey, 2 grey +
 * alpha, 3 RGB, 4 RGBA); PNG keeps the channels as given (grey PNGs have colour type 0 or 4).
 */
export async function writeImage(file: string, width: number, height: number, pixels: (x: number, y: number) => Pixel, format: Format = 'png'): Promise<void> {
  const channels = pixels(0, 0).length as 1 | 2 | 3 | 4;
  const data = Buffer.alloc(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixels(x, y), (y * width + x) * channels);
  mkdirSync(path.dirname(file), { recursive: true });
  let image = sharp(data, { raw: { width, height, channels } });
  if (channels <= 2) image = image.toColourspace('b-w');
  await (format === 'png' ? image.png() : image.jpeg({ quality: 100, chromaSubsampling: '4:4:4' })).toFile(file);
}

/** A solid image of one colour. */
export function writeSolid(file: string, width: number, height: number, colour: Pixel, format: Format = 'png'): Promise<void> {
  return writeImage(file, width, height, () => colour, format);
}

/** `dir/<class>/<i>.png` for each class, `counts[class]` solid images whose grey value encodes class and index. */
export async function writeClassFolder(dir: string, counts: Record<string, number>, size = 4): Promise<void> {
  let classIndex = 0;
  for (const [name, count] of Object.entries(counts)) {
    for (let i = 0; i < count; i++) await writeSolid(path.join(dir, name, `${String(i).padStart(3, '0')}.png`), size, size, [(classIndex * 40 + i) % 256]);
    classIndex++;
  }
}

/** The error `fn` throws (failing the test when it throws none). */
export function captured(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
