import { Image8, tileGrid } from '@cvae/images';
import { CVAE } from '@cvae/model';
import { SeededRandom, deriveSeed } from '@cvae/dataset';

/** The tutorial's `random_vector_for_generation`: one fixed set of latent points, decoded after every epoch. */
export const SAMPLE_EPS_SEED = deriveSeed(0, 'sample-grid-eps');
export const GRID_SIDE = 4;

/** GRID_SIDE² standard-normal latent vectors, the same in every epoch and run with this latentDim. */
export function sampleGridEps(latentDim: number): Float32Array {
  return new SeededRandom(SAMPLE_EPS_SEED).normals(GRID_SIDE * GRID_SIDE * latentDim);
}

/**
 * Decodes the fixed latent vectors and tiles the probabilities into a 4×4 grid, with the same
 * gray gutters as evaluation's golden grids so the two can be compared by eye.
 */
export function renderSampleGrid(model: CVAE, eps: Float32Array = sampleGridEps(model.latentDim)): Image8 {
  return tileGrid(model.decodeMeanValues(eps), model.gridLayout(GRID_SIDE, GRID_SIDE));
}
