/**
 * conv.wasm (our SIMD convolution kernels, built from conv.c) instantiated on the wasm
 * backend's own WebAssembly.Memory, so it reads and writes tensors where they live.
 * One instance per backend memory; compiled once per process.
 */
import { CONV_WASM_BASE64 } from './conv-wasm.generated';

type Ptr = number; // byte offset into the backend's memory

export interface ConvSimdExports {
  cvae_conv2d(
    x: Ptr, B: number, H: number, W: number, C: number, w: Ptr, KH: number, KW: number, CO: number,
    sy: number, sx: number, pt: number, pl: number, OH: number, OW: number, y: Ptr, scratch: Ptr,
  ): void;
  cvae_conv2d_backprop_input(
    dy: Ptr, B: number, OH: number, OW: number, CO: number, w: Ptr, KH: number, KW: number, C: number,
    sy: number, sx: number, pt: number, pl: number, H: number, W: number, dx: Ptr, scratch: Ptr,
  ): void;
  cvae_conv2d_backprop_input_dot(
    dy: Ptr, B: number, OH: number, OW: number, CO: number, w: Ptr, KH: number, KW: number, C: number,
    sy: number, sx: number, pt: number, pl: number, H: number, W: number, dx: Ptr,
  ): void;
  cvae_conv2d_backprop_filter(
    x: Ptr, B: number, H: number, W: number, C: number, dy: Ptr, OH: number, OW: number, CO: number,
    KH: number, KW: number, sy: number, sx: number, pt: number, pl: number, dw: Ptr,
  ): void;
}

let compiled: WebAssembly.Module | undefined;
const instances = new WeakMap<WebAssembly.Memory, ConvSimdExports>();

function convModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(CONV_WASM_BASE64, 'base64'));
  return compiled;
}

/** The SIMD kernels bound to `memory` (tfjs-wasm's heap). */
export function convSimdKernels(memory: WebAssembly.Memory): ConvSimdExports {
  let exports = instances.get(memory);
  if (exports == null) {
    const instance = new WebAssembly.Instance(convModule(), { env: { memory } });
    exports = instance.exports as unknown as ConvSimdExports;
    instances.set(memory, exports);
  }
  return exports;
}
