import { existsSync, readdirSync } from 'fs';
import * as path from 'path';
import { GUTTER_VALUE, gridSize, probabilityToByte, tileGrid, toRgba } from './image';
import { decodePng, encodePng, readPng, writePng } from './png';
import { tempDir } from './test-utils/reference';

describe('tileGrid', () => {
  // 2×3 tiles of 2×2 pixels; tile t is filled with t/10 so each tile is identifiable.
  const layout = { rows: 2, cols: 3, tileHeight: 2, tileWidth: 2 };
  const tiles = Float32Array.from({ length: 6 * 4 }, (_, i) => Math.floor(i / 4) / 10);
  const image = tileGrid(tiles, layout);
  const at = (x: number, y: number) => image.data[y * image.width + x];

  test('size has 1-pixel gutters between tiles and none outside', () => {
    expect(gridSize(layout)).toEqual({ width: 3 * 2 + 2, height: 2 * 2 + 1 });
    expect([image.width, image.height, image.channels]).toEqual([8, 5, 1]);
  });

  test('tiles are placed row-major, gutters hold GUTTER_VALUE', () => {
    expect(at(0, 0)).toBe(probabilityToByte(0));
    expect(at(3, 1)).toBe(probabilityToByte(0.1)); // row 0, col 1
    expect(at(6, 0)).toBe(probabilityToByte(0.2)); // row 0, col 2
    expect(at(0, 3)).toBe(probabilityToByte(0.3)); // row 1, col 0
    expect(at(7, 4)).toBe(probabilityToByte(0.5)); // row 1, col 2
    for (let y = 0; y < 5; y++) [2, 5].forEach((x) => expect(at(x, y)).toBe(GUTTER_VALUE));
    for (let x = 0; x < 8; x++) expect(at(x, 2)).toBe(GUTTER_VALUE);
  });

  test('probabilities map to round(p·255), clamped', () => {
    expect([0, 0.5, 1, 1.0000001, -0.1].map(probabilityToByte)).toEqual([0, 128, 255, 255, 0]);
  });

  test('rejects a tile count that does not fit the layout', () => {
    expect(() => tileGrid(new Float32Array(5), layout)).toThrow(/expected 2·3 tiles of 2×2 \(24 values\), got 5/);
  });
});

describe('PNG', () => {
  test('grayscale round trip is lossless', () => {
    const data = Uint8Array.from({ length: 7 * 3 }, (_, i) => (i * 37) % 256);
    const png = encodePng({ width: 7, height: 3, channels: 1, data });
    expect(png[25]).toBe(0); // IHDR colour type byte: 0 = grayscale
    const decoded = decodePng(png);
    expect([decoded.width, decoded.height]).toEqual([7, 3]);
    expect(decoded.rgba).toEqual(toRgba({ width: 7, height: 3, channels: 1, data }));
  });

  test('RGB round trip is lossless', () => {
    const data = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 53) % 256);
    const png = encodePng({ width: 4, height: 2, channels: 3, data });
    expect(png[25]).toBe(2);
    expect(decodePng(png).rgba).toEqual(toRgba({ width: 4, height: 2, channels: 3, data }));
  });

  test('writePng is atomic: no temp file left, file readable', async () => {
    const dir = tempDir('png');
    const file = path.join(dir, 'a', 'b.png');
    await writePng(file, { width: 2, height: 2, channels: 1, data: Uint8Array.of(0, 64, 128, 255) });
    expect(readdirSync(path.dirname(file))).toEqual(['b.png']);
    expect(existsSync(file)).toBe(true);
    expect(Array.from((await readPng(file)).rgba.filter((_, i) => i % 4 === 0))).toEqual([0, 64, 128, 255]);
  });
});
