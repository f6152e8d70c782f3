/**
 * The three convolution directions on conv.wasm (see conv.c), for the shapes it supports;
 * each returns null otherwise and the caller takes its XNNPACK/im2col path.
 * `CVAE_WASM_CONV=xnnpack` turns them off (to compare in benchmarks).
 */
import { TensorInfo } from '@tensorflow/tfjs-core';
import { ConvGeometry } from '../../conv-geometry';
import { allocate, heapPointer, release, WasmHeapBackend } from '../heap';
import { ACTIVATION_CODES, convSimdKernels, FusedActivation } from './conv-module';

/** A layer's bias and activation, applied by the kernel as it stores its result (conv.c's epilogue). */
export interface Epilogue {
  bias?: TensorInfo;
  activation: FusedActivation;
}

const NO_EPILOGUE: Epilogue = { activation: 'linear' };

function epilogueArgs(backend: WasmHeapBackend, epilogue: Epilogue): [number, number] {
  return [epilogue.bias ? heapPointer(backend, epilogue.bias) : 0, ACTIVATION_CODES[epilogue.activation]];
}

export type ConvDirection = 'forward' | 'input-grad' | 'filter-grad';

/**
 * Which conv.wasm kernel takes this convolution ('tiled' 4x8 register tiles, 'winograd' for a 3x3
 * stride-2 input gradient without leading padding, 'dot' products for an input gradient with < 8
 * channels), or null for the XNNPACK/im2col paths. The tiles need 8 output channels of the
 * direction's result (the filter gradient's tiles run along the forward output channels).
 * `CVAE_WASM_WINOGRAD=0` leaves the Winograd shapes to the tiles, `=always` takes them even where
 * Winograd needs more multiplies (to compare, and to test the kernel's edges).
 */
export function simdKernelFor(g: ConvGeometry, direction: ConvDirection): 'tiled' | 'winograd' | 'dot' | null {
  if (process.env['CVAE_WASM_CONV'] === 'xnnpack' || g.dilationHeight !== 1 || g.dilationWidth !== 1) return null;
  if (direction === 'input-grad') {
    if (g.inChannels % 8 === 0) return winogradApplies(g) ? 'winograd' : 'tiled';
    return g.outChannels % 4 === 0 ? 'dot' : null;
  }
  return g.outChannels % 8 === 0 ? 'tiled' : null;
}

/**
 * Winograd's multiplies over the direct kernel's for a 3x3 stride-2 input gradient: 25 per tile of
 * 2x2 dy pixels (4x4 dx pixels; partial tiles at the edges count whole) against 9 taps per dy pixel.
 */
export function winogradMultiplyRatio(g: ConvGeometry): number {
  const tiles = Math.ceil(g.inHeight / 4) * Math.ceil(g.inWidth / 4);
  return (25 * tiles) / (9 * g.outHeight * g.outWidth);
}

/**
 * Below this ratio the Winograd kernel wins (measured at batch 100: the CVAE's dec2, 0.69 of the
 * multiplies, takes 0.82x the direct kernel's time; dec1, 0.91 with its 7x7 dy in 4x4 tiles, 1.05x).
 */
const WINOGRAD_MAX_MULTIPLY_RATIO = 0.75;

/** conv.c's cvae_deconv3s2_winograd: 3x3 filter, stride 2, no leading padding, C % 8 == 0, CO % 4 == 0, and fewer multiplies. */
function winogradApplies(g: ConvGeometry): boolean {
  const setting = process.env['CVAE_WASM_WINOGRAD'];
  return setting !== '0' &&
    g.filterHeight === 3 && g.filterWidth === 3 && g.strideHeight === 2 && g.strideWidth === 2 &&
    g.padTop === 0 && g.padLeft === 0 && g.inChannels % 8 === 0 && g.outChannels % 4 === 0 &&
    (setting === 'always' || winogradMultiplyRatio(g) <= WINOGRAD_MAX_MULTIPLY_RATIO);
}

function kernels(backend: WasmHeapBackend) {
  return convSimdKernels(backend.wasm.asm.memory);
}

/** y = act(conv2d(x, filter) + bias); needs out channels % 8 == 0. */
export function conv2DSimd(backend: WasmHeapBackend, g: ConvGeometry, x: TensorInfo, filter: TensorInfo, epilogue = NO_EPILOGUE): TensorInfo | null {
  if (simdKernelFor(g, 'forward') == null) return null;
  const y = allocate(backend, [g.batch, g.outHeight, g.outWidth, g.outChannels]);
  const k = kernels(backend);
  const scratch = allocate(backend, [k.cvae_conv2d_scratch(
    g.inHeight, g.inWidth, g.inChannels, g.filterHeight, g.filterWidth, g.outChannels,
    g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.outHeight, g.outWidth,
  )]);
  k.cvae_conv2d(
    heapPointer(backend, x), g.batch, g.inHeight, g.inWidth, g.inChannels,
    heapPointer(backend, filter), g.filterHeight, g.filterWidth, g.outChannels,
    g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.outHeight, g.outWidth,
    heapPointer(backend, y), heapPointer(backend, scratch), ...epilogueArgs(backend, epilogue),
  );
  release(backend, scratch);
  return y;
}

/**
 * dx of conv2d (= conv2dTranspose forward, then act(dx + bias) for a layer); Winograd or tiles when in
 * channels % 8 == 0, dot products when out channels % 4 == 0.
 */
export function conv2DBackpropInputSimd(backend: WasmHeapBackend, g: ConvGeometry, dy: TensorInfo, filter: TensorInfo, epilogue = NO_EPILOGUE): TensorInfo | null {
  const kernel = simdKernelFor(g, 'input-grad');
  if (kernel == null) return null;
  if (kernel === 'winograd') return deconv3s2Winograd(backend, g, dy, filter, epilogue);
  const tiled = kernel === 'tiled';
  const dx = allocate(backend, [g.batch, g.inHeight, g.inWidth, g.inChannels]);
  const k = kernels(backend);
  const scratchFloats = (tiled ? k.cvae_conv2d_backprop_input_scratch : k.cvae_conv2d_backprop_input_dot_scratch)(
    g.outHeight, g.outWidth, g.outChannels, g.filterHeight, g.filterWidth, g.inChannels,
    g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.inHeight, g.inWidth,
  );
  const scratch = allocate(backend, [scratchFloats]);
  const args = [
    heapPointer(backend, dy), g.batch, g.outHeight, g.outWidth, g.outChannels,
    heapPointer(backend, filter), g.filterHeight, g.filterWidth, g.inChannels,
    g.strideHeight, g.strideWidth, g.padTop, g.padLeft, g.inHeight, g.inWidth, heapPointer(backend, dx),
  ] as const;
  const run = tiled ? k.cvae_conv2d_backprop_input : k.cvae_conv2d_backprop_input_dot;
  run(...args, heapPointer(backend, scratch), ...epilogueArgs(backend, epilogue));
  release(backend, scratch);
  return dx;
}

function deconv3s2Winograd(backend: WasmHeapBackend, g: ConvGeometry, dy: TensorInfo, filter: TensorInfo, epilogue: Epilogue): TensorInfo {
  const dx = allocate(backend, [g.batch, g.inHeight, g.inWidth, g.inChannels]);
  const k = kernels(backend);
  const scratch = allocate(backend, [k.cvae_deconv3s2_winograd_scratch(g.outHeight, g.outWidth, g.outChannels, g.inChannels, g.inHeight, g.inWidth)]);
  k.cvae_deconv3s2_winograd(
    heapPointer(backend, dy), g.batch, g.outHeight, g.outWidth, g.outChannels, heapPointer(backend, filter), g.inChannels,
    g.inHeight, g.inWidth, heapPointer(backend, dx), heapPointer(backend, scratch), ...epilogueArgs(backend, epilogue),
  );
  release(backend, scratch);
  return dx;
}

/** dW of conv2d; needs out channels % 8 == 0. */
export function conv2DBackpropFilterSimd(backend: WasmHeapBackend, g: ConvGeometry, x: TensorInfo, dy: TensorInfo): TensorInfo | null {
  if (simdKernelFor(g, 'filter-grad') == null) return null;
  const dw = allocate(backend, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  const k = kernels(backend);
  const scratchFloats = k.cvae_conv2d_backprop_filter_scratch(
    g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft,
  );
  const scratch = allocate(backend, [scratchFloats]);
  k.cvae_conv2d_backprop_filter(
    heapPointer(backend, x), g.batch, g.inHeight, g.inWidth, g.inChannels,
    heapPointer(backend, dy), g.outHeight, g.outWidth, g.outChannels,
    g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.padTop, g.padLeft, heapPointer(backend, dw),
    heapPointer(backend, scratch),
  );
  release(backend, scratch);
  return dw;
}

/**
 * The backward pass of act(z + bias) over dy viewed as [rows, C]: [dz, dbias] with
 * dz = dy · act'(z) (act' read from the layer's output y) and dbias = column sums of dz, in one pass.
 */
export function biasActivationGradSimd(backend: WasmHeapBackend, dy: TensorInfo, y: TensorInfo, channels: number, activation: FusedActivation): [TensorInfo, TensorInfo] {
  const rows = dy.shape.reduce((a, b) => a * b, 1) / channels;
  const dz = allocate(backend, [...dy.shape]);
  const dbias = allocate(backend, [channels]);
  const scratch = allocate(backend, [2 * channels]); // float64 sums
  kernels(backend).cvae_bias_act_grad(
    heapPointer(backend, dy), heapPointer(backend, y), rows, channels, ACTIVATION_CODES[activation],
    heapPointer(backend, dz), heapPointer(backend, dbias), heapPointer(backend, scratch),
  );
  release(backend, scratch);
  return [dz, dbias];
}

/** out[M,N] = op(a)·op(b) (one matrix each; a [K,M] when transposeA, b [N,K] when transposeB), shaped `outShape`. */
export function matMulSimd(backend: WasmHeapBackend, a: TensorInfo, b: TensorInfo, dims: { M: number; K: number; N: number }, transposeA: boolean, transposeB: boolean, outShape: number[]): TensorInfo {
  const out = allocate(backend, outShape);
  kernels(backend).cvae_matmul(heapPointer(backend, a), heapPointer(backend, b), dims.M, dims.K, dims.N, transposeA ? 1 : 0, transposeB ? 1 : 0, heapPointer(backend, out));
  return out;
}
