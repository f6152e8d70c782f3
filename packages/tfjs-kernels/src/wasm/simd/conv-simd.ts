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
 * Which conv.wasm kernel takes this convolution ('tiled' 4x8 register tiles, 'dot' products for an
 * input gradient with < 8 channels), or null for the XNNPACK/im2col paths. The tiles need 8 output
 * channels of the direction's result (the filter gradient's tiles run along the forward output channels).
 */
export function simdKernelFor(g: ConvGeometry, direction: ConvDirection): 'tiled' | 'dot' | null {
  if (process.env['CVAE_WASM_CONV'] === 'xnnpack' || g.dilationHeight !== 1 || g.dilationWidth !== 1) return null;
  if (direction === 'input-grad') {
    if (g.inChannels % 8 === 0) return 'tiled';
    return g.outChannels % 4 === 0 ? 'dot' : null;
  }
  return g.outChannels % 8 === 0 ? 'tiled' : null;
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
 * dx of conv2d (= conv2dTranspose forward, then act(dx + bias) for a layer); tiles when in channels
 * % 8 == 0, dot products when out channels % 4 == 0.
 */
export function conv2DBackpropInputSimd(backend: WasmHeapBackend, g: ConvGeometry, dy: TensorInfo, filter: TensorInfo, epilogue = NO_EPILOGUE): TensorInfo | null {
  const kernel = simdKernelFor(g, 'input-grad');
  if (kernel == null) return null;
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
