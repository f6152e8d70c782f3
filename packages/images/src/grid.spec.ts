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

describe('tileGrid with 3 channels (RGB)', () => {
  // 1×2 tiles of 2×1 pixels, NHWC as a tfjs [2, 2, 1, 3] tensor's dataSync() gives them: value = byte / 255.
  const bytes = [10, 20, 30, 40, 50, 60, /* tile 1 */ 70, 80, 90, 100, 110, 120];
  const layout = { rows: 1, cols: 2, tileHeight: 2, tileWidth: 1, channels: 3 as const };
  const image = tileGrid(bytes.map((b) => b / 255), layout);

  test('places every channel of every pixel, with gutters of 128 in all three channels', () => {
    expect([image.width, image.height, image.channels]).toEqual([3, 2, 3]);
    // Row 0: tile 0 pixel (0,0) | gutter | tile 1 pixel (0,0); row 1 likewise.
    expect(Array.from(image.data)).toEqual([10, 20, 30, 128, 128, 128, 70, 80, 90, 40, 50, 60, 128, 128, 128, 100, 110, 120]);
  });

  test('a gray image repeated in three channels gives the gray grid in each channel', () => {
    const gray = Float32Array.from({ length: 6 * 4 }, (_, i) => (i % 7) / 6);
    const rgb = Float32Array.from({ length: gray.length * 3 }, (_, i) => gray[Math.floor(i / 3)]);
    const grayGrid = tileGrid(gray, { rows: 2, cols: 3, tileHeight: 2, tileWidth: 2 });
    const rgbGrid = tileGrid(rgb, { rows: 2, cols: 3, tileHeight: 2, tileWidth: 2, channels: 3 });
    expect(Array.from(rgbGrid.data)).toEqual(Array.from(grayGrid.data).flatMap((v) => [v, v, v]));
  });

  test('rejects a value count that does not fit, naming the channels, and a channel count other than 1 or 3', () => {
    expect(() => tileGrid(new Float32Array(6), layout)).toThrow(/expected 1·2 tiles of 2×1×3 \(12 values\), got 6/);
    expect(() => tileGrid(new Float32Array(8), { ...layout, channels: 4 as 3 })).toThrow(/channels must be 1 \(gray\) or 3 \(RGB\), got 4/);
  });
});

describe('toRgba', () => {
  test('repeats a gray byte into R, G and B, and keeps RGB channels apart; alpha is opaque', () => {
    expect(Array.from(toRgba({ width: 1, height: 1, channels: 1, data: Uint8Array.of(7) }))).toEqual([7, 7, 7, 255]);
    expect(Array.from(toRgba({ width: 1, height: 1, channels: 3, data: Uint8Array.of(1, 2, 3) }))).toEqual([1, 2, 3, 255]);
  });
});
