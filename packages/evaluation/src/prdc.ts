/**
 * Precision, recall, density and coverage (Naeem et al. 2020, as clovaai/generative-evaluation-prdc
 * computes them) with k nearest neighbours in a classifier's feature space. Each real vector owns the
 * ball out to its k-th nearest real neighbour (itself not counted);
 *   precision: the share of fake vectors inside some real ball;
 *   recall:    the share of real vectors inside some fake ball (the fakes' own k-NN radii);
 *   density:   the number of real balls holding a fake vector, summed and divided by k·fakes (1 on
 *              average for fakes distributed as the reals; above 1 where fakes crowd dense regions);
 *   coverage:  the share of real balls holding at least one fake vector (what a lost mode lowers).
 * Balls are open (distance < radius), as in the reference code. Distances are squared Euclidean from
 * ‖a‖² + ‖b‖² − 2aᵀb with the inner products on the tfjs backend (innerProducts), block by block so
 * no 10,000 × 10,000 matrix is held at once.
 */
import { innerProducts, rowsOf } from './kid';

export const PRDC_NEIGHBOURS = 5;
/** Rows of the first set per distance block (a block is BLOCK_ROWS × the other set's count floats). */
const BLOCK_ROWS = 500;

/** The real vectors and the squared radius of each one's k-NN ball: computed once, shared by every fake set. */
export interface Neighbourhoods {
  vectors: Float32Array;
  dim: number;
  count: number;
  k: number;
  /** Squared distance to the k-th nearest other vector, per vector. */
  radii: Float64Array;
}

export interface DensityCoverage {
  precision: number;
  density: number;
  coverage: number;
}

export interface Prdc extends DensityCoverage {
  recall: number;
}

/** Each row's k-NN ball within its own set (k + 1-th smallest distance counting itself, as the reference code). */
export function neighbourhoods(vectors: Float32Array, dim: number, k = PRDC_NEIGHBOURS): Neighbourhoods {
  const count = rowsOf(vectors, dim, 'neighbourhoods');
  if (!Number.isInteger(k) || k < 1 || count < k + 1) throw new RangeError(`neighbourhoods: k = ${k} needs at least ${k + 1} vectors, got ${count}`);
  const radii = new Float64Array(count);
  const smallest = new Float64Array(k + 1);
  forEachDistanceRow(vectors, vectors, dim, (i, distances) => {
    smallest.fill(Infinity);
    for (let j = 0; j < count; j++) insertSmallest(smallest, distances[j]);
    radii[i] = smallest[k];
  });
  return { vectors, dim, count, k, radii };
}

/** Precision, density and coverage of `fake` against the real balls: one pass over the fake-real distances. */
export function densityCoverage(real: Neighbourhoods, fake: Float32Array): DensityCoverage {
  return crossPass(real, fake, undefined);
}

/** All four, the fakes' own balls included (a second k-NN pass, within the fakes). */
export function prdc(real: Float32Array, fake: Float32Array, dim: number, k = PRDC_NEIGHBOURS): Prdc {
  const fakeBalls = neighbourhoods(fake, dim, k);
  const result = crossPass(neighbourhoods(real, dim, k), fake, fakeBalls.radii);
  return { ...result, recall: result.recall ?? 0 };
}

function crossPass(real: Neighbourhoods, fake: Float32Array, fakeRadii: Float64Array | undefined): DensityCoverage & { recall?: number } {
  const fakes = rowsOf(fake, real.dim, 'fake');
  if (fakes < 1) throw new RangeError('densityCoverage: no fake vectors');
  const nearestFake = new Float64Array(real.count).fill(Infinity);
  const inFakeBall = new Uint8Array(real.count);
  let [insideSome, ballsHolding] = [0, 0];
  forEachDistanceRow(fake, real.vectors, real.dim, (i, distances) => {
    let held = 0;
    const fakeRadius = fakeRadii?.[i] ?? -Infinity;
    for (let j = 0; j < real.count; j++) {
      const d = distances[j];
      if (d < real.radii[j]) held++;
      if (d < nearestFake[j]) nearestFake[j] = d;
      if (d < fakeRadius) inFakeBall[j] = 1;
    }
    ballsHolding += held;
    if (held > 0) insideSome++;
  });
  let covered = 0;
  for (let j = 0; j < real.count; j++) if (nearestFake[j] < real.radii[j]) covered++;
  return {
    precision: insideSome / fakes,
    density: ballsHolding / (real.k * fakes),
    coverage: covered / real.count,
    ...(fakeRadii === undefined ? {} : { recall: inFakeBall.reduce((sum, v) => sum + v, 0) / real.count }),
  };
}

/** Calls `row(i, d²(aᵢ, b·))` for every row of `a`, computing BLOCK_ROWS rows of distances at a time. */
function forEachDistanceRow(a: Float32Array, b: Float32Array, dim: number, row: (i: number, distances: Float64Array) => void): void {
  const [rowsA, rowsB] = [rowsOf(a, dim, 'a'), rowsOf(b, dim, 'b')];
  const normsB = squaredNorms(b, dim);
  const distances = new Float64Array(rowsB);
  for (let start = 0; start < rowsA; start += BLOCK_ROWS) {
    const block = a.subarray(start * dim, Math.min(rowsA, start + BLOCK_ROWS) * dim);
    const products = innerProducts(block, b, dim);
    const normsA = squaredNorms(block, dim);
    for (let r = 0; r < normsA.length; r++) {
      // Round-off can make a tiny distance negative; 0 is what it is. (No Math.max: a global lookup per
      // entry costs ~0.3 µs in jest's vm context, 30 s over 10⁸ distances.)
      const [normA, offset] = [normsA[r], r * rowsB];
      for (let j = 0; j < rowsB; j++) {
        const d = normA + normsB[j] - 2 * products[offset + j];
        distances[j] = d > 0 ? d : 0;
      }
      row(start + r, distances);
    }
  }
}

function squaredNorms(vectors: Float32Array, dim: number): Float64Array {
  const norms = new Float64Array(vectors.length / dim);
  for (let i = 0; i < norms.length; i++) {
    let sum = 0;
    for (let j = 0; j < dim; j++) sum += vectors[i * dim + j] ** 2;
    norms[i] = sum;
  }
  return norms;
}

/** Keeps `smallest` (ascending) the smallest values seen so far. */
function insertSmallest(smallest: Float64Array, value: number): void {
  const last = smallest.length - 1;
  if (!(value < smallest[last])) return;
  let i = last;
  while (i > 0 && smallest[i - 1] > value) {
    smallest[i] = smallest[i - 1];
    i--;
  }
  smallest[i] = value;
}
