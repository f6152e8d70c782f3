import { GUTTER_VALUE, gridSize, probabilityToByte, tileGrid, tileOrigin, toRgba } from './grid';

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

  test('gutters are mid-gray, distinct from ink (255) and background (0)', () => {
    expect(GUTTER_VALUE).toBe(128);
  });

  test('tileOrigin steps by tile size plus gutter', () => {
    expect(tileOrigin(layout, 1, 2)).toEqual({ x: 2 * (2 + 1), y: 1 * (2 + 1) });
  });

  test('probabilities map to round(p·255), clamped', () => {
    expect([0, 0.5, 1, 1.0000001, -0.1].map(probabilityToByte)).toEqual([0, 128, 255, 255, 0]);
  });

  test('rejects a tile count that does not fit the layout', () => {
    expect(() => tileGrid(new Float32Array(5), layout)).toThrow(/expected 2·3 tiles of 2×2 \(24 values\), got 5/);
  });
});

describe('toRgba', () => {
  test('repeats a gray byte into R, G and B, and keeps RGB channels apart; alpha is opaque', () => {
    expect(Array.from(toRgba({ width: 1, height: 1, channels: 1, data: Uint8Array.of(7) }))).toEqual([7, 7, 7, 255]);
    expect(Array.from(toRgba({ width: 1, height: 1, channels: 3, data: Uint8Array.of(1, 2, 3) }))).toEqual([1, 2, 3, 255]);
  });
});
