/**
 * Direct access to the wasm backend's heap, so JS loops (im2col, col2im) can
 * read and write tensors in place and hand them to XNNPACK's matmul without copies.
 *
 * Rules that keep this safe:
 *  - take Float32Array views only after the last allocation of the kernel call
 *    (malloc may grow the heap and detach older views);
 *  - never write into a tensor after it was a matmul operand: the wasm
 *    BatchMatMul caches packed operands keyed by tensor id, so scratch tensors are
 *    always fresh and disposed right after use.
 */
import { getKernel, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

/** The part of BackendWasm these kernels use (typed here to avoid emscripten typings). */
export interface WasmHeapBackend {
  wasm: { HEAPF32: Float32Array; asm: { memory: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object): boolean;
}

export function asWasmBackend(backend: unknown): WasmHeapBackend {
  return backend as WasmHeapBackend;
}

/** Index into backend.wasm.HEAPF32 of the tensor's first element. */
export function heapIndex(backend: WasmHeapBackend, t: TensorInfo): number {
  const data = backend.dataIdMap.get(t.dataId);
  if (data == null) throw new Error('cvae wasm kernel: tensor is not on the wasm backend');
  if (t.dtype !== 'float32') throw new Error(`cvae wasm kernel: expected float32, got ${t.dtype}`);
  return data.memoryOffset >>> 2;
}

/** Byte offset of the tensor's first element in the backend's memory (a pointer for conv.wasm). */
export function heapPointer(backend: WasmHeapBackend, t: TensorInfo): number {
  return heapIndex(backend, t) * 4;
}

export function heapF32(backend: WasmHeapBackend): Float32Array {
  return backend.wasm.HEAPF32;
}

export function allocate(backend: WasmHeapBackend, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

export function release(backend: WasmHeapBackend, ...tensors: TensorInfo[]): void {
  for (const t of tensors) backend.disposeData(t.dataId);
}

/** The same data seen with another shape (no copy, no new id) — for feeding matmul. */
export function withShape(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

const stockKernels = new Map<string, KernelConfig>();

/**
 * tfjs-wasm's own kernel `name`, captured the first time (registerTrainingKernels
 * captures every one it replaces or uses before installing ours), so our kernels
 * can delegate to it even after the registry entry was overridden.
 */
export function stockWasmKernel(name: string): KernelFunc {
  return stockWasmKernelConfig(name).kernelFunc;
}

export function stockWasmKernelConfig(name: string): KernelConfig {
  let config = stockKernels.get(name);
  if (config == null) {
    config = getKernel(name, 'wasm');
    if (config == null) throw new Error(`cvae wasm kernels: the wasm backend has no ${name} kernel`);
    stockKernels.set(name, config);
  }
  return config;
}

/** Captured once so our kernels keep using XNNPACK even if BatchMatMul is later overridden. */
export function captureWasmBatchMatMul(): KernelFunc {
  return stockWasmKernel('BatchMatMul');
}

/** Captures every stock wasm kernel the cvae kernels delegate to; call before installing them. */
export function captureStockWasmKernels(): void {
  for (const name of ['BatchMatMul', 'Sum', 'Conv2D', 'FusedConv2D', '_FusedMatMul', 'Identity']) stockWasmKernel(name);
}

/** out[1, m, n] = a[1, m, k] · b[1, k, n] with XNNPACK, no transposes. */
export function wasmMatMul(backend: WasmHeapBackend, a: TensorInfo, b: TensorInfo): TensorInfo {
  const matmul = captureWasmBatchMatMul();
  return matmul({ inputs: { a, b }, backend: backend as unknown as object, attrs: { transposeA: false, transposeB: false } }) as TensorInfo;
}
