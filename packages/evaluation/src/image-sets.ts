import * as tf from '@tensorflow/tfjs-core';
import { IMAGE_SET_KINDS, ImageSetKind, ImageSetSpec } from '@cvae/formats';
import { ImageSet, SeededRandom, loadSplit } from '@cvae/dataset';
import { Image8, tileGrid } from '@cvae/images';
import { type CVAE, dimsPlane, latentMeans, pointOnPlane, principalPlane, renderLatentScatter, type LatentPlane } from '@cvae/model';
import { inverseNormalCdf, linspace } from './inverse-normal';

export { IMAGE_SET_KINDS };
export type { ImageSetKind, ImageSetSpec };

/** Manifold quantile range, as in the TensorFlow CVAE tutorial. */
export const MANIFOLD_QUANTILES = { first: 0.05, last: 0.95 } as const;

/** Renders one image set. `testSet` defaults to the binarized MNIST test split (recon/scatter only). */
export function renderImageSet(model: CVAE, spec: ImageSetSpec, testSet?: ImageSet): Image8 {
  assertSpec(spec);
  switch (spec.kind) {
    case 'prior':
      return renderPrior(model, spec.seed, spec.grid);
    case 'recon':
      return renderRecon(model, testSet ?? loadSplit('test'), spec.indices ?? range(spec.grid));
    case 'manifold':
      // A 2-D latent needs no test images; a larger one takes its plane from the means of the first `count`.
      return renderManifold(model, spec.grid, model.latentDim > 2 ? (testSet ?? loadSplit('test', { limit: spec.count })) : undefined, spec.count);
    case 'scatter':
      return renderScatter(model, testSet ?? loadSplit('test', { limit: spec.count }), spec.count);
  }
}

/**
 * n×n decoded prior samples: eps = SeededRandom(seed).normals(n·n·latentDim), row-major — tile
 * (row, col) decodes eps[(row·n + col)·latentDim …+latentDim]. Our PRNG, not tf.randomNormal,
 * so the draws are identical on every backend and tfjs version.
 */
export function renderPrior(model: CVAE, seed: number, n: number): Image8 {
  const eps = new SeededRandom(seed).normals(n * n * model.latentDim);
  return tileGrid(model.decodeMeanValues(eps), model.gridLayout(n, n));
}

/** Two rows: the binarized test inputs at `indices`, and below them sigmoid(decode(mean)) of each (no eps). */
export function renderRecon(model: CVAE, set: ImageSet, indices: number[]): Image8 {
  const pixels = model.pixelsPerImage;
  const inputs = new Float32Array(indices.length * pixels);
  indices.forEach((index, i) => {
    if (!Number.isInteger(index) || index < 0 || index >= set.count) throw new RangeError(`recon: test index ${index} is outside 0…${set.count - 1}`);
    inputs.set(set.images.subarray(index * pixels, (index + 1) * pixels), i * pixels);
  });
  const recon = tf.tidy(() => {
    const { mean } = model.encode(model.imageTensor(inputs));
    return model.decodeMean(mean);
  });
  const reconPixels = recon.dataSync() as Float32Array;
  recon.dispose();
  const tiles = new Float32Array(2 * inputs.length);
  tiles.set(inputs, 0);
  tiles.set(reconPixels, inputs.length);
  return tileGrid(tiles, model.gridLayout(2, indices.length));
}

/**
 * The latent manifold: z over an n×n grid of standard-normal quantiles Φ⁻¹(p), p = linspace(0.05, 0.95, n)
 * (Acklam's inverse CDF), in a plane through the origin (every other direction at 0, the prior's mean).
 * Column j has the plane's first coordinate Φ⁻¹(p_j), row i its second Φ⁻¹(p_i), as the tutorial's
 * plot_latent_images lays them out. A 2-D model's plane is (z0, z1) itself; a larger model's is the plane of
 * the first two principal components of the posterior means of `testSet` (see @cvae/model's latent-plane),
 * the plane its latent scatter is drawn in. Unit directions keep Φ⁻¹(p) meaningful: the prior is N(0, 1)
 * along any of them.
 */
export function renderManifold(model: CVAE, n: number, testSet?: ImageSet, count?: number): Image8 {
  const quantiles = linspace(MANIFOLD_QUANTILES.first, MANIFOLD_QUANTILES.last, n).map(inverseNormalCdf);
  const plane = manifoldPlane(model, testSet, count);
  const d = model.latentDim;
  const z = new Float32Array(n * n * d);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) z.set(pointOnPlane(plane, quantiles[col], quantiles[row]), (row * n + col) * d);
  }
  return tileGrid(model.decodeMeanValues(z), model.gridLayout(n, n));
}

/** (z0, z1) for a 2-D model; for a larger one the principal plane of the means of the first `count` test images (default all). */
export function manifoldPlane(model: CVAE, testSet?: ImageSet, count?: number): LatentPlane {
  if (model.latentDim < 2) throw new RangeError(`manifold needs a latent space of 2 or more dimensions, this model has ${model.latentDim}`);
  if (model.latentDim === 2) return dimsPlane(2, 0, 1);
  const set = testSet ?? loadSplit('test', { limit: count });
  return principalPlane(latentMeans(model, set, count ?? set.count), model.latentDim);
}

/** Posterior means of the first `count` test images, coloured by label: dims 0 and 1, or the principal plane beyond 2-D (the model's renderer, shared with training). */
export function renderScatter(model: CVAE, set: ImageSet, count = set.count): Image8 {
  return renderLatentScatter(model, set, count);
}

function assertSpec(spec: ImageSetSpec): void {
  if (!IMAGE_SET_KINDS.includes(spec.kind)) throw new RangeError(`unknown image kind '${spec.kind}' (one of ${IMAGE_SET_KINDS.join(', ')})`);
  if (!Number.isInteger(spec.seed)) throw new RangeError(`seed must be an integer, got ${spec.seed}`);
  if (!Number.isInteger(spec.grid) || spec.grid < 1 || spec.grid > 64) throw new RangeError(`grid must be an integer in [1, 64], got ${spec.grid}`);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
