/**
 * Copies a float32 tensor's values into a caller's array. On wasm straight from the backend's heap:
 * tfjs-backend-wasm's dataSync allocates a new ArrayBuffer per call, which for a model's 14 weights
 * costs ~0.5 ms and garbage per read; elsewhere dataSync.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WasmHeapBackend, heapF32, heapIndex } from './wasm/heap';

function wasmBackendHolding(t: tf.Tensor): WasmHeapBackend | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as WasmHeapBackend;
  return backend.dataIdMap.get(t.dataId) != null ? backend : null;
}

/** target[offset .. offset + t.size) = t's values (float32 tensors only). */
export function readFloat32Into(t: tf.Tensor, target: Float32Array, offset = 0): void {
  if (t.dtype !== 'float32') throw new Error(`readFloat32Into: expected a float32 tensor, got ${t.dtype}`);
  if (offset < 0 || offset + t.size > target.length) throw new RangeError(`readFloat32Into: ${t.size} values at ${offset} do not fit ${target.length}`);
  t.throwIfDisposed();
  const backend = wasmBackendHolding(t);
  if (backend == null) {
    target.set(t.dataSync() as Float32Array, offset);
    return;
  }
  const start = heapIndex(backend, t);
  target.set(heapF32(backend).subarray(start, start + t.size), offset);
}
