/**
 * tfjs's Adam, computed on flat Float32Arrays in one JS loop instead of ~13 tensor ops per variable
 * (≈ 190 kernel calls per CVAE step, on the main thread while the workers wait).
 *
 * Bit-identical to tf.train.adam: every operation of tfjs's update is one IEEE float32 operation
 * (on cpu computed in float64 and rounded, which for + − × ÷ √ gives the same float32), so the loop
 * rounds after each operation with Math.fround, in tfjs's order. β₁ᵗ and β₂ᵗ stay tfjs's scalar
 * variables (accBeta1/accBeta2), so the checkpoint format and optimizer-state.ts are unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';

const fround = Math.fround;

/** Where one variable's moments live in the flat m and v arrays, and their names in getWeights(). */
interface Slot {
  firstName: string;
  secondName: string;
  shape: number[];
  offset: number;
  size: number;
}

/** The float32 constants of one update (tfjs turns each JS number into a float32 scalar tensor). */
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

/**
 * values[i] (and m[i], v[i] at offset + i) after one Adam step with gradients grads[i], exactly as
 * tfjs computes it: m' = m·β₁ + g·(1−β₁); v' = v·β₂ + g²·(1−β₂); value += (m'/(1−β₁ᵗ)) /
 * (√(v'/(1−β₂ᵗ)) + ε) · (−lr).
 */
export function adamUpdate(values: Float32Array, grads: Float32Array, m: Float32Array, v: Float32Array, offset: number, c: AdamConstants): void {
  const { beta1, oneMinusBeta1, beta2, oneMinusBeta2, oneMinusAccBeta1, oneMinusAccBeta2, epsilon, negativeLearningRate } = c;
  for (let i = 0; i < values.length; i++) {
    const g = grads[i];
    const j = offset + i;
    const m1 = fround(fround(m[j] * beta1) + fround(g * oneMinusBeta1));
    const v1 = fround(fround(v[j] * beta2) + fround(fround(g * g) * oneMinusBeta2));
    const mHat = fround(m1 / oneMinusAccBeta1);
    const vHat = fround(v1 / oneMinusAccBeta2);
    const step = fround(mHat / fround(fround(Math.sqrt(vHat)) + epsilon));
    values[i] = fround(step * negativeLearningRate) + values[i];
    m[j] = m1;
    v[j] = v1;
  }
}

export class FlatAdamOptimizer extends tf.AdamOptimizer {
  private slots: Slot[] = [];
  private m = new Float32Array(0);
  private v = new Float32Array(0);

  constructor(learningRate: number) {
    // tf.train.adam's defaults; epsilon null = the backend's (1e-7 for float32 backends).
    super(learningRate, 0.9, 0.999, null as unknown as number);
  }

  /** tfjs's applyGradients (a map or list of named gradients, by position as tfjs matches moments). */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients) ? variableGradients : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    this.update(named.map(({ name, tensor }) => ({ variable: tf.engine().registeredVariables[name], grads: tensor == null ? null : (tensor.dataSync() as Float32Array) })));
  }

  /** One update of `variables` from one flat array of their gradients, in the same order (no gradient tensors). */
  applyFlatGradients(variables: readonly tf.Variable[], grads: Float32Array): void {
    const total = variables.reduce((n, variable) => n + variable.size, 0);
    if (grads.length !== total) throw new Error(`applyFlatGradients: ${grads.length} gradient values for ${total} parameters`);
    let offset = 0;
    this.update(variables.map((variable) => ({ variable, grads: grads.subarray(offset, (offset += variable.size)) })));
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const moments = (array: Float32Array, name: (s: Slot) => string) => this.slots.map((s) => ({ name: name(s), tensor: tf.tensor(array.slice(s.offset, s.offset + s.size), s.shape, 'float32') }));
    // Fresh tensors (tfjs hands out its own moment variables): the caller disposes them.
    return [await this.saveIterations(), ...moments(this.m, (s) => s.firstName), ...moments(this.v, (s) => s.secondName)];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const rest = await this.extractIterations(weightValues);
    const [accBeta1, accBeta2] = this.betaPowers();
    tf.tidy(() => {
      accBeta1.assign(tf.pow(this.beta1, this.iterations + 1));
      accBeta2.assign(tf.pow(this.beta2, this.iterations + 1));
    });
    const count = rest.length / 2;
    this.slots = [];
    this.ensureSlots(rest.slice(0, count).map(({ name, tensor }, i) => ({ firstName: name, secondName: rest[count + i].name, shape: [...tensor.shape], size: tensor.size })));
    rest.slice(0, count).forEach(({ tensor }, i) => this.m.set(tensor.dataSync() as Float32Array, this.slots[i].offset));
    rest.slice(count).forEach(({ tensor }, i) => this.v.set(tensor.dataSync() as Float32Array, this.slots[i].offset));
  }

  /** tfjs's private β₁ᵗ and β₂ᵗ scalar variables (read and written by optimizer-state.ts too). */
  private betaPowers(): [tf.Variable, tf.Variable] {
    const { accBeta1, accBeta2 } = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    return [accBeta1, accBeta2];
  }

  private update(items: { variable: tf.Variable; grads: Float32Array | null }[]): void {
    this.ensureSlots(items.map(({ variable }) => ({ firstName: `${variable.name}/m`, secondName: `${variable.name}/v`, shape: [...variable.shape], size: variable.size })));
    const constants = this.constants();
    const [accBeta1, accBeta2] = this.betaPowers();
    tf.tidy(() => {
      items.forEach(({ variable, grads }, i) => {
        if (grads == null) return; // as tfjs: no gradient, no update
        // A copy: dataSync may hand out the backend's own storage (cpu).
        const values = Float32Array.from(variable.dataSync() as Float32Array);
        adamUpdate(values, grads, this.m, this.v, this.slots[i].offset, constants);
        variable.assign(tf.tensor(values, variable.shape, 'float32'));
      });
      accBeta1.assign(tf.scalar(fround(accBeta1.dataSync()[0] * constants.beta1)));
      accBeta2.assign(tf.scalar(fround(accBeta2.dataSync()[0] * constants.beta2)));
    });
    this.incrementIterations();
  }

  private constants(): AdamConstants {
    const [accBeta1, accBeta2] = this.betaPowers();
    return {
      beta1: fround(this.beta1),
      oneMinusBeta1: fround(1 - this.beta1),
      beta2: fround(this.beta2),
      oneMinusBeta2: fround(1 - this.beta2),
      oneMinusAccBeta1: fround(1 - accBeta1.dataSync()[0]),
      oneMinusAccBeta2: fround(1 - accBeta2.dataSync()[0]),
      epsilon: fround(this.epsilon),
      negativeLearningRate: fround(-this.learningRate),
    };
  }

  /** Moments for variables not seen yet (zeros, as tfjs starts them), appended in position order. */
  private ensureSlots(wanted: Omit<Slot, 'offset'>[]): void {
    if (wanted.length <= this.slots.length) return;
    let offset = this.m.length;
    for (const slot of wanted.slice(this.slots.length)) {
      this.slots.push({ ...slot, offset });
      offset += slot.size;
    }
    const grow = (old: Float32Array) => {
      const array = new Float32Array(offset);
      array.set(old);
      return array;
    };
    this.m = grow(this.m);
    this.v = grow(this.v);
  }
}
