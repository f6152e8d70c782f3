import { GUTTER_VALUE, decodeGrayPng, encodePng } from '@cvae/images';
import { CVAE } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { GRID_SIDE, renderSampleGrid } from './samples';
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
