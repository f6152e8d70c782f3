/**
 * Inverse of the standard normal CDF (the probit function), by Peter J. Acklam's algorithm:
 * a rational approximation in the central region p ∈ [0.02425, 1 − 0.02425] and a rational
 * function of sqrt(−2 ln p) in each tail. Relative error < 1.15e-9 over (0, 1), which is far
 * below float32 precision, so the latent grids it produces are identical on every machine.
 * (We skip Acklam's optional Halley refinement step: it needs erfc, and the error is already
 * well below what the decoder can resolve.)
 */
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`inverseNormalCdf: p must be in [0, 1], got ${p}`);
  }
  if (p < P_LOW) return lowerTail(p);
  if (p > 1 - P_LOW) return -lowerTail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
}

function lowerTail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
    ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
}

/** `n` evenly spaced values from `first` to `last` inclusive, computed as numpy.linspace does (first + i·step, last exact). */
export function linspace(first: number, last: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`linspace: n must be a positive integer, got ${n}`);
  if (n === 1) return [first];
  const step = (last - first) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? last : first + i * step));
}
