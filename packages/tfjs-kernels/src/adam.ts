/**
 * Adam's update over flat float32 arrays, in conv.wasm (SIMD-128) on a memory of its own: for an
 * optimizer that keeps its state flat (e.g. @cvae/training's FlatAdamOptimizer). Each lane is one
 * IEEE float32 operation in tfjs's order, so the result is tf.train.adam's bit for bit, on any backend.
 */
import { convSimdKernels } from './wasm/simd/conv-module';

/** The float32 constants of one update, as tfjs rounds them: β₁, 1−β₁, β₂, 1−β₂, 1−β₁ᵗ, 1−β₂ᵗ, ε, −lr. */
export interface AdamConstants {
  beta1: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  negativeLearningRate: number;
}

const PAGE = 65536;
/** conv.wasm declares an imported memory of at least 2 pages (lld's default layout; the module itself stores nothing there). */
const MODULE_MIN_PAGES = 2;

/** values, grads and the moments m and v, `size` floats each, in one wasm memory that cvae_adam updates in place. */
export class AdamBuffers {
  readonly values: Float32Array;
  readonly grads: Float32Array;
  readonly m: Float32Array;
  readonly v: Float32Array;
  private readonly constants: Float32Array;
  private readonly run: (start: number, count: number) => void;

  constructor(readonly size: number) {
    const bytes = 4 * (4 * size + 8);
    const memory = new WebAssembly.Memory({ initial: Math.max(MODULE_MIN_PAGES, Math.ceil(bytes / PAGE)) });
    const kernels = convSimdKernels(memory);
    const view = (index: number, length: number) => new Float32Array(memory.buffer, 4 * index, length);
    [this.values, this.grads, this.m, this.v] = [0, 1, 2, 3].map((k) => view(k * size, size));
    this.constants = view(4 * size, 8);
    const pointer = (array: Float32Array) => array.byteOffset;
    this.run = (start, count) => kernels.cvae_adam(pointer(this.values) + 4 * start, pointer(this.grads) + 4 * start, pointer(this.m) + 4 * start, pointer(this.v) + 4 * start, count, pointer(this.constants));
  }

  /** values, m and v ← one Adam step with grads, over [start, start + count) (default: all). */
  update(c: AdamConstants, start = 0, count = this.size - start): void {
    if (start < 0 || count < 0 || start + count > this.size) throw new RangeError(`AdamBuffers.update: [${start}, ${start + count}) is outside [0, ${this.size})`);
    this.constants.set([c.beta1, c.oneMinusBeta1, c.beta2, c.oneMinusBeta2, c.oneMinusAccBeta1, c.oneMinusAccBeta2, c.epsilon, c.negativeLearningRate]);
    this.run(start, count);
  }
}
