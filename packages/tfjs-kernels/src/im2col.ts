/**
 * im2col / col2im on plain Float32Arrays (which may be views of the wasm heap).
 *
 * Layouts, with M = batch*outH*outW output pixels and K = filterH*filterW*inC
 * patch entries ordered (fh, fw, ci) like a tfjs filter [fh, fw, ci, co]:
 *   - `im2col`           writes cols[M, K]  (row = one output pixel's patch)
 *   - `im2colTransposed` writes colsT[K, M] (so dW = colsT · dy needs no transposed matmul)
 *   - `col2imAdd`        scatters cols[M, K] back into x[b, h, w, ci], summing overlaps
 * Out-of-image taps (padding) read as zero and are dropped on the way back.
 */
import { ConvGeometry, patchCount, patchSize } from './conv-geometry';

/** Input row of filter tap `f` for output row `o`, or -1 when it lands in the padding. */
function sourceIndex(o: number, f: number, stride: number, dilation: number, pad: number, size: number): number {
  const i = o * stride - pad + f * dilation;
  return i >= 0 && i < size ? i : -1;
}

/** Runs at least this long are copied with TypedArray.set; shorter ones element by element. */
const SET_MIN_RUN = 64;

export function im2col(g: ConvGeometry, x: Float32Array, xOffset: number, cols: Float32Array, colsOffset: number): void {
  const C = g.inChannels;
  const K = patchSize(g);
  let row = colsOffset;
  for (let b = 0; b < g.batch; b++) {
    const imageBase = xOffset + b * g.inHeight * g.inWidth * C;
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++, row += K) {
        let k = row;
        for (let fh = 0; fh < g.filterHeight; fh++) {
          const ih = sourceIndex(oh, fh, g.strideHeight, g.dilationHeight, g.padTop, g.inHeight);
          for (let fw = 0; fw < g.filterWidth; fw++, k += C) {
            const iw = sourceIndex(ow, fw, g.strideWidth, g.dilationWidth, g.padLeft, g.inWidth);
            if (ih < 0 || iw < 0) {
              for (let c = 0; c < C; c++) cols[k + c] = 0;
            } else {
              const src = imageBase + (ih * g.inWidth + iw) * C;
              // subarray+set costs ~100 ns per call: only worth it for long runs.
              if (C >= SET_MIN_RUN) cols.set(x.subarray(src, src + C), k);
              else for (let c = 0; c < C; c++) cols[k + c] = x[src + c];
            }
          }
        }
      }
    }
  }
}

/**
 * colsT[k, m]: for each filter tap (fh, fw) walk the output pixels once and
 * spread each pixel's C channels over C rows. Reads of x are contiguous per
 * pixel; the C write streams advance together, one float each per pixel.
 * (Measured faster than writing one row run at a time: 19 vs 43 ms for the
 * CVAE's largest layer.)
 */
export function im2colTransposed(g: ConvGeometry, x: Float32Array, xOffset: number, colsT: Float32Array, colsOffset: number): void {
  const C = g.inChannels;
  const M = patchCount(g);
  const pixelsPerImage = g.outHeight * g.outWidth;
  for (let fh = 0; fh < g.filterHeight; fh++) {
    for (let fw = 0; fw < g.filterWidth; fw++) {
      const rowBase = colsOffset + (fh * g.filterWidth + fw) * C * M;
      for (let b = 0; b < g.batch; b++) {
        const imageBase = xOffset + b * g.inHeight * g.inWidth * C;
        for (let oh = 0; oh < g.outHeight; oh++) {
          const ih = sourceIndex(oh, fh, g.strideHeight, g.dilationHeight, g.padTop, g.inHeight);
          const m0 = b * pixelsPerImage + oh * g.outWidth;
          for (let ow = 0; ow < g.outWidth; ow++) {
            const iw = ih < 0 ? -1 : sourceIndex(ow, fw, g.strideWidth, g.dilationWidth, g.padLeft, g.inWidth);
            let dst = rowBase + m0 + ow;
            if (iw < 0) {
              for (let c = 0; c < C; c++, dst += M) colsT[dst] = 0;
            } else {
              let src = imageBase + (ih * g.inWidth + iw) * C;
              for (let c = 0; c < C; c++, dst += M) colsT[dst] = x[src++];
            }
          }
        }
      }
    }
  }
}

/**
 * dx = 0; dx[b, ih, iw, ci] += cols[m, (fh, fw, ci)] for every tap that lands inside the image.
 * The pixel/tap walk mirrors im2col's on purpose: a shared walker calling back per tap costs a
 * function call in the innermost loop of the hottest kernels, so each keeps its loop inline.
 */
export function col2imAdd(g: ConvGeometry, cols: Float32Array, colsOffset: number, dx: Float32Array, dxOffset: number): void {
  const C = g.inChannels;
  const K = patchSize(g);
  dx.fill(0, dxOffset, dxOffset + g.batch * g.inHeight * g.inWidth * C);
  let row = colsOffset;
  for (let b = 0; b < g.batch; b++) {
    const imageBase = dxOffset + b * g.inHeight * g.inWidth * C;
    for (let oh = 0; oh < g.outHeight; oh++) {
      for (let ow = 0; ow < g.outWidth; ow++, row += K) {
        let k = row;
        for (let fh = 0; fh < g.filterHeight; fh++) {
          const ih = sourceIndex(oh, fh, g.strideHeight, g.dilationHeight, g.padTop, g.inHeight);
          for (let fw = 0; fw < g.filterWidth; fw++, k += C) {
            const iw = sourceIndex(ow, fw, g.strideWidth, g.dilationWidth, g.padLeft, g.inWidth);
            if (ih < 0 || iw < 0) continue;
            let dst = imageBase + (ih * g.inWidth + iw) * C;
            for (let c = 0; c < C; c++) dx[dst++] += cols[k + c];
          }
        }
      }
    }
  }
}

/** filterT[co, k] from filter[k, co]: the small transpose that lets dCols = dy · filterT be a plain matmul. */
export function transposeMatrix(src: Float32Array, srcOffset: number, rows: number, cols: number, dst: Float32Array, dstOffset: number): void {
  for (let r = 0; r < rows; r++) {
    let s = srcOffset + r * cols;
    for (let c = 0; c < cols; c++) dst[dstOffset + c * rows + r] = src[s++];
  }
}
