import { CVAE, GUTTER_VALUE, decodeGrayPng, encodePng, initBackend } from '@cvae/model';
import { GRID_SIDE, encodeProgressGif, renderSampleGrid } from './samples';
import { TEST_BACKEND } from './test-utils/tmp-dir';

describe('renderSampleGrid', () => {
  beforeAll(async () => {
    await initBackend(TEST_BACKEND);
  });

  it('tiles 4×4 decoded samples of 28×28 with the gray gutters of the golden grids', () => {
    const model = CVAE.create({ latentDim: 2, seed: 3 });
    const grid = renderSampleGrid(model);
    model.dispose();
    const side = GRID_SIDE * 28 + GRID_SIDE - 1;
    expect([grid.width, grid.height, grid.channels]).toEqual([side, side, 1]);
    const at = (x: number, y: number) => grid.data[y * side + x];
    for (let i = 0; i < side; i++) {
      expect([at(28, i), at(i, 28), at(3 * 29 - 1, i)]).toEqual([GUTTER_VALUE, GUTTER_VALUE, GUTTER_VALUE]);
    }
    expect(decodeGrayPng(encodePng(grid))).toEqual(grid);
  });
});

describe('encodeProgressGif', () => {
  const frame = { width: 2, height: 1, channels: 1 as const, data: Uint8Array.of(0, 255) };

  it('writes a GIF89a', () => {
    expect(Buffer.from(encodeProgressGif([frame, frame]).subarray(0, 6)).toString('latin1')).toBe('GIF89a');
  });

  it('rejects no frames and RGB frames', () => {
    expect(() => encodeProgressGif([])).toThrow(/no frames/);
    expect(() => encodeProgressGif([{ width: 1, height: 1, channels: 3, data: Uint8Array.of(1, 2, 3) }])).toThrow(/grayscale/);
  });
});
