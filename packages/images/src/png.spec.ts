import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { toRgba } from './grid';
import { decodeGrayPng, decodeImagePng, decodePng, encodePng, encodeRgbaPng, readPng, writePng } from './png';

/** Byte 25 of a PNG is IHDR's colour type: 0 gray, 2 RGB, 6 RGBA. */
const colorTypeOf = (png: Uint8Array) => png[25];

describe('PNG', () => {
  test('grayscale round trip is lossless', () => {
    const data = Uint8Array.from({ length: 7 * 3 }, (_, i) => (i * 37) % 256);
    const png = encodePng({ width: 7, height: 3, channels: 1, data });
    expect(colorTypeOf(png)).toBe(0);
    const decoded = decodePng(png);
    expect([decoded.width, decoded.height]).toEqual([7, 3]);
    expect(decoded.rgba).toEqual(toRgba({ width: 7, height: 3, channels: 1, data }));
    expect(decodeGrayPng(png)).toEqual({ width: 7, height: 3, channels: 1, data });
  });

  test('RGB round trip is lossless', () => {
    const data = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 53) % 256);
    const png = encodePng({ width: 4, height: 2, channels: 3, data });
    expect(colorTypeOf(png)).toBe(2);
    expect(decodePng(png).rgba).toEqual(toRgba({ width: 4, height: 2, channels: 3, data }));
  });

  test('an RGB image of any size comes back from decodeImagePng byte for byte, and encodes to the same bytes every time', () => {
    const image = { width: 5, height: 3, channels: 3 as const, data: Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 97 + 13) % 256) };
    const png = encodePng(image);
    // IHDR: width 5, height 3, bit depth 8, colour type 2 (RGB).
    expect(Array.from(png.subarray(16, 26))).toEqual([0, 0, 0, 5, 0, 0, 0, 3, 8, 2]);
    expect(decodeImagePng(png)).toEqual(image);
    expect(decodePng(png).channels).toBe(3);
    expect(encodePng({ ...image, data: image.data.slice() }).equals(png)).toBe(true);
  });

  test('decodeImagePng: a gray PNG is 1 channel; RGB and opaque RGBA files are 3, even when every pixel is gray', () => {
    const gray = { width: 3, height: 2, channels: 1 as const, data: Uint8Array.of(0, 1, 2, 128, 254, 255) };
    expect(decodeImagePng(encodePng(gray))).toEqual(gray);
    expect(decodePng(encodePng(gray)).channels).toBe(1);
    const grayAsRgb = Uint8Array.from(Array.from(gray.data).flatMap((v) => [v, v, v]));
    expect(decodeImagePng(encodePng({ ...gray, channels: 3, data: grayAsRgb }))).toEqual({ ...gray, channels: 3, data: grayAsRgb });
    const opaque = Uint8Array.of(1, 2, 3, 255, 4, 5, 6, 255);
    expect(decodeImagePng(encodeRgbaPng(2, 1, opaque))).toEqual({ width: 2, height: 1, channels: 3, data: Uint8Array.of(1, 2, 3, 4, 5, 6) });
  });

  test('decodeImagePng refuses a transparent pixel, naming it', () => {
    const png = encodeRgbaPng(2, 1, Uint8Array.of(1, 2, 3, 255, 4, 5, 6, 7));
    expect(() => decodeImagePng(png)).toThrow('decodeImagePng: pixel 1,0 is transparent (alpha 7); Image8 has no alpha');
  });

  test('encodePng refuses data whose length does not match width·height·channels', () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 3, data: new Uint8Array(4) })).toThrow('encodePng: a 2×2 image with 3 channel(s) needs 12 bytes, got 4');
  });

  test('RGBA round trip is lossless', () => {
    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 29) % 256);
    const png = encodeRgbaPng(3, 2, rgba);
    expect(colorTypeOf(png)).toBe(6);
    expect(decodePng(png).rgba).toEqual(rgba);
  });

  test('writePng writes the file it returns the bytes of, via a temp file it does not leave behind', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cvae-png-'));
    try {
      const file = path.join(dir, 'a', 'b.png');
      const bytes = await writePng(file, { width: 2, height: 2, channels: 1, data: Uint8Array.of(0, 64, 128, 255) });
      expect(readdirSync(path.dirname(file))).toEqual(['b.png']);
      expect(await readPng(file)).toEqual(decodePng(bytes));
      expect(decodeGrayPng(bytes).data).toEqual(Uint8Array.of(0, 64, 128, 255));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
