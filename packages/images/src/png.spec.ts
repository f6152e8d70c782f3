import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { toRgba } from './grid';
import { decodeGrayPng, decodePng, encodePng, encodeRgbaPng, readPng, writePng } from './png';

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
