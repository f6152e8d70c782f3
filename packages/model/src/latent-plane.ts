/**
 * Two-dimensional views of a latent space of any size: a plane spanned by two orthonormal directions u, v
 * through the origin — two coordinate axes, or the first two principal components of a set of posterior
 * means. The latent scatter, the manifold image set and the viewer's explorer all use these, so a
 * latent-8 model is seen in the same plane everywhere. No tfjs here: plain arrays in, plain arrays out.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

export interface LatentPlane {
  kind: 'dims' | 'principal';
  latentDim: number;
  /** Unit direction of the plane's first coordinate. */
  u: number[];
  /** Unit direction of the plane's second coordinate, orthogonal to u. */
  v: number[];
  /** 'dims': the two latent dimensions (0-based). */
  dims?: [number, number];
  /** 'principal': the fraction of the means' total variance along u and along v. */
  explained?: [number, number];
}

/** The plane of latent dimensions i and j (z_i across, z_j up). */
export function dimsPlane(latentDim: number, i: number, j: number): LatentPlane {
  for (const d of [i, j]) if (!Number.isInteger(d) || d < 0 || d >= latentDim) throw new RangeError(`latent dimension ${d} is outside 0…${latentDim - 1}`);
  if (i === j) throw new RangeError(`a plane needs two different dimensions, got ${i} twice`);
  const axis = (d: number) => Array.from({ length: latentDim }, (_, k) => (k === d ? 1 : 0));
  return { kind: 'dims', latentDim, u: axis(i), v: axis(j), dims: [i, j] };
}

/**
 * The plane of the first two principal components of `means` (row-major, n × latentDim): the top two
 * eigenvectors of their covariance (ml-matrix's symmetric eigendecomposition). An eigenvector's sign is
 * arbitrary, so each is flipped to make its largest-magnitude component positive: the same means give
 * the same picture on every machine.
 */
export function principalPlane(means: Float32Array, latentDim: number): LatentPlane {
  const n = means.length / latentDim;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`principal plane: need at least 2 points of ${latentDim} values, got ${means.length} values`);
  if (latentDim < 2) throw new RangeError(`principal plane: a ${latentDim}-D latent space has no plane`);
  const covariance = covarianceOf(means, latentDim, n);
  const eig = new EigenvalueDecomposition(covariance, { assumeSymmetric: true });
  const order = eig.realEigenvalues.map((value, index) => ({ value, index })).sort((a, b) => b.value - a.value);
  const total = order.reduce((sum, e) => sum + Math.max(0, e.value), 0);
  const [first, second] = order.map((e) => canonicalSign(eig.eigenvectorMatrix.getColumn(e.index)));
  const explained: [number, number] = total > 0 ? [Math.max(0, order[0].value) / total, Math.max(0, order[1].value) / total] : [0, 0];
  return { kind: 'principal', latentDim, u: first, v: second, explained };
}

/** (⟨z, u⟩, ⟨z, v⟩): where z lies in the plane's coordinates. */
export function projectOntoPlane(plane: LatentPlane, z: ArrayLike<number>): [number, number] {
  return [dot(plane.u, z), dot(plane.v, z)];
}

/** Every row of `points` (n × latentDim) projected: n × 2, interleaved. */
export function projectAllOntoPlane(plane: LatentPlane, points: Float32Array): Float32Array {
  const d = plane.latentDim;
  const out = new Float32Array((points.length / d) * 2);
  for (let row = 0; row < points.length / d; row++) {
    const z = points.subarray(row * d, (row + 1) * d);
    out[2 * row] = dot(plane.u, z);
    out[2 * row + 1] = dot(plane.v, z);
  }
  return out;
}

/**
 * The latent point at plane coordinates (a, b), with everything outside the plane taken from `hold`
 * (default the origin): z = hold + (a − ⟨hold, u⟩)·u + (b − ⟨hold, v⟩)·v.
 */
export function pointOnPlane(plane: LatentPlane, a: number, b: number, hold?: ArrayLike<number>): Float32Array {
  const z = hold === undefined ? new Float32Array(plane.latentDim) : Float32Array.from(hold);
  const [ha, hb] = projectOntoPlane(plane, z);
  for (let k = 0; k < plane.latentDim; k++) z[k] += (a - ha) * plane.u[k] + (b - hb) * plane.v[k];
  return z;
}

function covarianceOf(points: Float32Array, d: number, n: number): Matrix {
  const mean = new Float64Array(d);
  for (let row = 0; row < n; row++) for (let k = 0; k < d; k++) mean[k] += points[row * d + k] / n;
  const covariance = Matrix.zeros(d, d);
  for (let row = 0; row < n; row++) {
    for (let i = 0; i < d; i++) {
      const di = points[row * d + i] - mean[i];
      for (let j = i; j < d; j++) covariance.set(i, j, covariance.get(i, j) + (di * (points[row * d + j] - mean[j])) / (n - 1));
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) covariance.set(i, j, covariance.get(j, i));
  return covariance;
}

function canonicalSign(vector: number[]): number[] {
  const largest = vector.reduce((best, value) => (Math.abs(value) > Math.abs(best) ? value : best), 0);
  return largest < 0 ? vector.map((x) => -x) : vector;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k] * b[k];
  return sum;
}
