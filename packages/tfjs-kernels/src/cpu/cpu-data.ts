/** Typed access to the cpu backend's tensor storage (values live in JS typed arrays). */
import { backend_util, DataType, TensorInfo } from '@tensorflow/tfjs-core';

export interface CpuDataBackend {
  readSync(dataId: object): backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: DataType, values?: Float32Array): TensorInfo;
}

export function asCpuBackend(backend: unknown): CpuDataBackend {
  return backend as CpuDataBackend;
}

/** The tensor's values as float32 (no copy when they already are, which is the normal case). */
export function float32Values(backend: CpuDataBackend, t: TensorInfo): Float32Array {
  const values = backend.readSync(t.dataId);
  if (values instanceof Float32Array) return values;
  if (Array.isArray(values)) throw new Error(`cvae cpu kernel: expected numeric values, got ${t.dtype}`);
  return Float32Array.from(values as ArrayLike<number>);
}
