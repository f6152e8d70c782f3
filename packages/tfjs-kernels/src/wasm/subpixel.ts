/**
 * Conv2DBackpropInput (= transposed convolution) as s_h·s_w stride-1 convolutions
 * run by XNNPACK (the stock wasm Conv2D), one per output phase (a, c):
 *
 *   dx[b, s·u + a, s·v + c, ci] = Σ dy[b, u + q_a − t, v + q_c − t', co] · W[r_a + s·t, r_c + s·t', ci, co]
 *
 * with r_a = (a + padTop) mod s, q_a = ⌊(a + padTop) / s⌋ and t over the T_a taps
 * fh ≡ r_a (mod s). Flipping t turns each phase into a plain correlation of dy with
 * a small sub-filter [T_a, T_c, co, ci] and explicit padding; the phase outputs are
 * then interleaved into dx. No col2im scatter, no [M, K] intermediate.
 * Returns null when a phase would need negative padding or has no taps (then the
 * caller uses the matmul + col2im path).
 */
import { TensorInfo } from '@tensorflow/tfjs-core';
import { ConvGeometry } from '../conv-geometry';
import { allocate, heapF32, heapIndex, release, stockWasmKernel, WasmHeapBackend } from './heap';

interface Phase1D {
  offset: number; // a
  firstTap: number; // r_a
  taps: number; // T_a
  outSize: number; // U_a
  padBefore: number;
  padAfter: number;
}

function phases(inSize: number, outSize: number, filterSize: number, stride: number, pad: number): Phase1D[] | null {
  const result: Phase1D[] = [];
  for (let a = 0; a < stride; a++) {
    const firstTap = (a + pad) % stride;
    const q = Math.floor((a + pad) / stride);
    const taps = firstTap < filterSize ? Math.floor((filterSize - 1 - firstTap) / stride) + 1 : 0;
    const phaseOut = Math.ceil((inSize - a) / stride);
    const padBefore = taps - 1 - q;
    const padAfter = phaseOut + taps - 1 - outSize - padBefore;
    if (taps === 0 || phaseOut <= 0 || padBefore < 0 || padAfter < 0) return null;
    result.push({ offset: a, firstTap, taps, outSize: phaseOut, padBefore, padAfter });
  }
  return result;
}

export function subPixelApplies(g: ConvGeometry): boolean {
  return g.dilationHeight === 1 && g.dilationWidth === 1 &&
    phases(g.inHeight, g.outHeight, g.filterHeight, g.strideHeight, g.padTop) != null &&
    phases(g.inWidth, g.outWidth, g.filterWidth, g.strideWidth, g.padLeft) != null;
}

/** dx [b, inH, inW, ci] from dy [b, outH, outW, co] and filter [fh, fw, ci, co]; null if not applicable. */
export function conv2DBackpropInputSubPixel(backend: WasmHeapBackend, g: ConvGeometry, dy: TensorInfo, filter: TensorInfo): TensorInfo | null {
  const rows = phases(g.inHeight, g.outHeight, g.filterHeight, g.strideHeight, g.padTop);
  const cols = phases(g.inWidth, g.outWidth, g.filterWidth, g.strideWidth, g.padLeft);
  if (rows == null || cols == null || g.dilationHeight !== 1 || g.dilationWidth !== 1) return null;
  const conv2D = stockWasmKernel('Conv2D');
  const Ci = g.inChannels;
  const Co = g.outChannels;
  const FW = g.filterWidth;
  const dx = allocate(backend, [g.batch, g.inHeight, g.inWidth, Ci]);
  for (const ph of rows) {
    for (const pw of cols) {
      // Sub-filter [T_a, T_c, co, ci], taps flipped, channels swapped.
      const sub = allocate(backend, [ph.taps, pw.taps, Co, Ci]);
      let heap = heapF32(backend);
      const w0 = heapIndex(backend, filter);
      let dst = heapIndex(backend, sub);
      for (let th = 0; th < ph.taps; th++) {
        const fh = ph.firstTap + g.strideHeight * (ph.taps - 1 - th);
        for (let tw = 0; tw < pw.taps; tw++) {
          const fw = pw.firstTap + g.strideWidth * (pw.taps - 1 - tw);
          const tap = w0 + (fh * FW + fw) * Ci * Co;
          for (let co = 0; co < Co; co++) {
            for (let ci = 0; ci < Ci; ci++) heap[dst++] = heap[tap + ci * Co + co];
          }
        }
      }
      const out = conv2D({
        inputs: { x: dy, filter: sub },
        backend: backend as unknown as object,
        attrs: { strides: 1, dilations: 1, dataFormat: 'NHWC', pad: [[0, 0], [ph.padBefore, ph.padAfter], [pw.padBefore, pw.padAfter], [0, 0]] },
      } as unknown as Parameters<typeof conv2D>[0]) as TensorInfo;
      // Interleave: dx[b, s·u + a, s·v + c, :] = out[b, u, v, :].
      heap = heapF32(backend);
      let src = heapIndex(backend, out);
      const dx0 = heapIndex(backend, dx);
      const rowStride = g.inWidth * Ci;
      const colStep = g.strideWidth * Ci;
      for (let b = 0; b < g.batch; b++) {
        for (let u = 0; u < ph.outSize; u++) {
          let d = dx0 + (b * g.inHeight + g.strideHeight * u + ph.offset) * rowStride + pw.offset * Ci;
          for (let v = 0; v < pw.outSize; v++, d += colStep) {
            for (let c = 0; c < Ci; c++) heap[d + c] = heap[src++];
          }
        }
      }
      release(backend, sub, out);
    }
  }
  return dx;
}
