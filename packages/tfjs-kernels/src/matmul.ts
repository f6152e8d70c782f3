/**
 * A cache-blocked single-threaded matmul on Float32Arrays for the cpu backend
 * (tfjs-cpu's conv kernels index through TensorBuffer.get and take ~90 s per
 * CVAE training step; im2col + this loop takes well under a second).
 */

/** Rows of `b` per block: a 128 x n slice of b stays in L1/L2 while every row of `a` streams past it. */
const DEPTH_BLOCK = 128;

/** c[m, n] = a[m, k] · b[k, n], all row-major and densely packed. */
export function matMulInto(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
  c.fill(0, 0, m * n);
  for (let p0 = 0; p0 < k; p0 += DEPTH_BLOCK) {
    const p1 = Math.min(k, p0 + DEPTH_BLOCK);
    for (let i = 0; i < m; i++) {
      const cRow = i * n;
      const aRow = i * k;
      for (let p = p0; p < p1; p++) {
        const av = a[aRow + p];
        const bRow = p * n;
        for (let j = 0; j < n; j++) c[cRow + j] += av * b[bRow + j];
      }
    }
  }
}
