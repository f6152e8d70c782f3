/**
 * conv.c's kernels instantiated on the wasm backend's own WebAssembly.Memory, so they read and
 * write tensors where they live. Two builds are embedded: with relaxed-SIMD fused multiply-add
 * (~25 % faster here) and plain SIMD-128; the first one the engine accepts is used.
 * One instance per backend memory; compiled once per process.
 */
import { setFlagsFromString } from 'v8';
import { CONV_FMA_WASM_BASE64, CONV_WASM_BASE64 } from './conv-wasm.generated';

type Ptr = number; // byte offset into the backend's memory; 0 = none (tfjs never allocates there)

/** conv.c's ACT_* codes of the fused epilogues. */
export const ACTIVATION_CODES = { linear: 0, relu: 1 } as const;
export type FusedActivation = keyof typeof ACTIVATION_CODES;

/** dx from dy and the filter, then act(dx + bias) (bias 0 for none); both input-gradient kernels take these arguments. */
type InputGradKernel = (
  dy: Ptr, B: number, OH: number, OW: number, CO: number, w: Ptr, KH: number, KW: number, C: number,
  sy: number, sx: number, pt: number, pl: number, H: number, W: number, dx: Ptr, scratch: Ptr, bias: Ptr, act: number,
) => void;

export interface ConvSimdExports {
  cvae_conv2d(
    x: Ptr, B: number, H: number, W: number, C: number, w: Ptr, KH: number, KW: number, CO: number,
    sy: number, sx: number, pt: number, pl: number, OH: number, OW: number, y: Ptr, scratch: Ptr, bias: Ptr, act: number,
  ): void;
  cvae_conv2d_backprop_input: InputGradKernel;
  cvae_conv2d_backprop_input_dot: InputGradKernel;
  /** dx of a 3x3 stride-2 conv without leading padding (the transposed conv's forward), Winograd; act(dx + bias). */
  cvae_deconv3s2_winograd(
    dy: Ptr, B: number, OH: number, OW: number, CO: number, w: Ptr, C: number, H: number, W: number, dx: Ptr, scratch: Ptr, bias: Ptr, act: number,
  ): void;
  cvae_deconv3s2_winograd_scratch(OH: number, OW: number, CO: number, C: number, H: number, W: number): number;
  cvae_conv2d_backprop_filter(
    x: Ptr, B: number, H: number, W: number, C: number, dy: Ptr, OH: number, OW: number, CO: number,
    KH: number, KW: number, sy: number, sx: number, pt: number, pl: number, dw: Ptr, scratch: Ptr,
  ): void;
  /** Floats of scratch each kernel needs for a geometry (the kernels' own arithmetic, so JS never guesses). */
  cvae_conv2d_scratch(H: number, W: number, C: number, KH: number, KW: number, CO: number, sy: number, sx: number, pt: number, pl: number, OH: number, OW: number): number;
  cvae_conv2d_backprop_input_scratch(OH: number, OW: number, CO: number, KH: number, KW: number, C: number, sy: number, sx: number, pt: number, pl: number, H: number, W: number): number;
  cvae_conv2d_backprop_input_dot_scratch(OH: number, OW: number, CO: number, KH: number, KW: number, C: number, sy: number, sx: number, pt: number, pl: number, H: number, W: number): number;
  cvae_conv2d_backprop_filter_scratch(H: number, W: number, C: number, OH: number, OW: number, KH: number, KW: number, sy: number, sx: number, pt: number, pl: number): number;
  /** dpre = act'(y)·dy and dbias = column sums of dpre (float64), one pass; scratch: C doubles. */
  cvae_bias_act_grad(dy: Ptr, y: Ptr, rows: number, C: number, act: number, dpre: Ptr, dbias: Ptr, scratch: Ptr): void;
  /** out[M,N] = op(a)·op(b); ta: a stored [K,M]; tb: b stored [N,K]. */
  cvae_matmul(a: Ptr, b: Ptr, M: number, K: number, N: number, ta: number, tb: number, out: Ptr): void;
  /** out[r] = Σ_c sigmoid cross-entropy of logits[r, c] against labels[⌊r / repeat⌋, c]. */
  cvae_sigmoid_cross_entropy(logits: Ptr, labels: Ptr, R: number, C: number, repeat: number, out: Ptr): void;
  /** One Adam step over n floats in place; c: 8 float32 constants (see conv.c). */
  cvae_adam(values: Ptr, grads: Ptr, m: Ptr, v: Ptr, n: number, c: Ptr): void;
  /** dlogits[r, c] = dy[r] · (σ(logits[r, c]) − labels[⌊r / repeat⌋, c]). */
  cvae_sigmoid_cross_entropy_grad(dy: Ptr, logits: Ptr, labels: Ptr, R: number, C: number, repeat: number, dlogits: Ptr): void;
}

/** Which build of conv.c runs: with fused multiply-add (relaxed SIMD) or plain SIMD-128. */
export type ConvSimdBuild = 'simd128-fma' | 'simd128';

let chosen: { build: ConvSimdBuild; module: WebAssembly.Module } | undefined;
const instances = new WeakMap<WebAssembly.Memory, ConvSimdExports>();

/**
 * Whether the engine runs relaxed SIMD. V8 11.3 (Node 20) has it complete behind
 * --experimental-wasm-relaxed-simd (V8 11.4 / Node 21+ ship it on), so on Node 20 we turn that
 * flag on; it only adds wasm opcodes. CVAE_WASM_FMA=0 keeps the plain build (e.g. to compare).
 */
function relaxedSimdAvailable(bytes: BufferSource): boolean {
  if (process.env['CVAE_WASM_FMA'] === '0') return false;
  if (WebAssembly.validate(bytes)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

function decode(base64: string): BufferSource {
  return Uint8Array.from(Buffer.from(base64, 'base64'));
}

/**
 * Compiles conv.wasm with V8's optimizing compiler (TurboFan) up front. By default V8 runs a wasm
 * function in its baseline compiler (Liftoff) until it has run for a while, and a kernel's first
 * calls then take ~8x longer (dec2's forward at batch 100: ~300 ms instead of ~45): every worker
 * thread, evaluation chunk and IWAE run would pay that. Eager TurboFan compilation of the whole
 * module takes ~60-140 ms once per process (V8 shares the code with worker threads). The two flags
 * are set only around this compilation and then reset to V8's defaults.
 */
function compileOptimized(bytes: BufferSource): WebAssembly.Module {
  setFlagsFromString('--no-liftoff');
  setFlagsFromString('--no-wasm-lazy-compilation');
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    setFlagsFromString('--liftoff');
    setFlagsFromString('--wasm-lazy-compilation');
  }
}

function chooseBuild(): { build: ConvSimdBuild; module: WebAssembly.Module } {
  if (chosen == null) {
    const fma = decode(CONV_FMA_WASM_BASE64);
    chosen = relaxedSimdAvailable(fma)
      ? { build: 'simd128-fma', module: compileOptimized(fma) }
      : { build: 'simd128', module: compileOptimized(decode(CONV_WASM_BASE64)) };
  }
  return chosen;
}

/** The build this process uses (decided on first use). */
export function convSimdBuild(): ConvSimdBuild {
  return chooseBuild().build;
}

/** The SIMD kernels bound to `memory` (tfjs-wasm's heap). */
export function convSimdKernels(memory: WebAssembly.Memory): ConvSimdExports {
  let exports = instances.get(memory);
  if (exports == null) {
    const instance = new WebAssembly.Instance(chooseBuild().module, { env: { memory } });
    exports = instance.exports as unknown as ConvSimdExports;
    instances.set(memory, exports);
  }
  return exports;
}
