/**
 * The statistics behind sample quality: Gaussians fitted to feature vectors, the Fréchet distance
 * between two of them, and the class histogram of a set of predictions.
 *
 * Fréchet distance (Dowson & Landau 1982; as FID, Heusel et al. 2017):
 *   d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁Σ₂)^{1/2}.
 * Σ₁Σ₂ is not symmetric, but it is similar to the symmetric PSD matrix Σ₁^{1/2} Σ₂ Σ₁^{1/2}, so
 * tr (Σ₁Σ₂)^{1/2} = Σᵢ √λᵢ(Σ₁^{1/2} Σ₂ Σ₁^{1/2}): two symmetric eigendecompositions (ml-matrix's),
 * with eigenvalues that round-off makes slightly negative clamped to 0. No complex square roots,
 * no iterative sqrtm that can fail to converge.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** A Gaussian fitted to `count` vectors: mean and (unbiased, n − 1) covariance, in float64. */
export interface GaussianFit {
  count: number;
  dim: number;
  mean: Float64Array;
  /** dim × dim, row-major. */
  covariance: Float64Array;
}

/** Fits a Gaussian to the rows of `vectors` (count × dim, row-major). Needs at least two rows. */
export function fitGaussian(vectors: Float32Array, dim: number): GaussianFit {
  const count = vectors.length / dim;
  if (!Number.isInteger(count) || count < 2) throw new RangeError(`fitGaussian: need at least 2 vectors of ${dim} values, got ${vectors.length} values`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let j = 0; j < dim; j++) mean[j] += vectors[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= count;
  const covariance = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dim; j++) centred[j] = vectors[i * dim + j] - mean[j];
    // Upper triangle only; mirrored below.
    for (let a = 0; a < dim; a++) {
      const ca = centred[a];
      if (ca === 0) continue;
      const row = a * dim;
      for (let b = a; b < dim; b++) covariance[row + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const value = covariance[a * dim + b] / (count - 1);
      covariance[a * dim + b] = value;
      covariance[b * dim + a] = value;
    }
  }
  return { count, dim, mean, covariance };
}

/** The Fréchet distance d² between two fitted Gaussians (≥ 0). */
export function frechetDistance(p: GaussianFit, q: GaussianFit): number {
  if (p.dim !== q.dim) throw new RangeError(`frechetDistance: dimensions differ (${p.dim} vs ${q.dim})`);
  let meanTerm = 0;
  for (let j = 0; j < p.dim; j++) meanTerm += (p.mean[j] - q.mean[j]) ** 2;
  const sigmaP = toMatrix(p.covariance, p.dim);
  const sigmaQ = toMatrix(q.covariance, q.dim);
  const rootP = symmetricSqrt(sigmaP);
  const product = rootP.mmul(sigmaQ).mmul(rootP);
  const traceRoot = symmetricEigenvalues(symmetrize(product)).reduce((sum, lambda) => sum + Math.sqrt(Math.max(lambda, 0)), 0);
  const distance = meanTerm + sigmaP.trace() + sigmaQ.trace() - 2 * traceRoot;
  // Identical inputs give round-off around 0, never a meaningful negative distance.
  return Math.max(distance, 0);
}

/** The class histogram of predictions and what it says about coverage. */
export interface ClassCoverage {
  /** Share of the images predicted as each class; sums to 1. */
  classShares: number[];
  /** Entropy of classShares in nats (ln classes when uniform, 0 when one class). */
  entropy: number;
  minClassShare: number;
  minClass: number;
  /** Mean over images of the largest softmax probability. */
  meanConfidence: number;
}

/** Histogram of the argmax class of each row of `probabilities` (count × classes), and mean max-probability. */
export function classCoverage(probabilities: Float32Array, classes: number): ClassCoverage {
  const count = probabilities.length / classes;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`classCoverage: need at least one row of ${classes} probabilities`);
  const counts = new Array<number>(classes).fill(0);
  let confidence = 0;
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[i * classes + c] > probabilities[i * classes + best]) best = c;
    counts[best]++;
    confidence += probabilities[i * classes + best];
  }
  const classShares = counts.map((n) => n / count);
  const minClassShare = Math.min(...classShares);
  return {
    classShares,
    entropy: classShares.reduce((h, share) => (share > 0 ? h - share * Math.log(share) : h), 0),
    minClassShare,
    minClass: classShares.indexOf(minClassShare),
    meanConfidence: confidence / count,
  };
}

function toMatrix(values: Float64Array, dim: number): Matrix {
  return new Matrix(Array.from({ length: dim }, (_, row) => Array.from(values.subarray(row * dim, (row + 1) * dim))));
}

/** (A + Aᵀ)/2: removes the asymmetry round-off leaves in a product that is symmetric in exact arithmetic. */
function symmetrize(a: Matrix): Matrix {
  return a.add(a.transpose()).mul(0.5);
}

function symmetricEigenvalues(a: Matrix): number[] {
  return new EigenvalueDecomposition(a, { assumeSymmetric: true }).realEigenvalues;
}

/** The PSD square root V·diag(√max(λ, 0))·Vᵀ of a symmetric matrix. */
function symmetricSqrt(a: Matrix): Matrix {
  const decomposition = new EigenvalueDecomposition(a, { assumeSymmetric: true });
  const vectors = decomposition.eigenvectorMatrix;
  const roots = decomposition.realEigenvalues.map((lambda) => Math.sqrt(Math.max(lambda, 0)));
  return vectors.mmul(Matrix.diag(roots)).mmul(vectors.transpose());
}
