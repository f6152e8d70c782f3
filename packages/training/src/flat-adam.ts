/**
 * tfjs's Adam with its state in flat arrays and its update in one conv.wasm SIMD call
 * (@cvae/tfjs-kernels' AdamBuffers) instead of ~13 tensor ops per variable (≈ 190 kernel calls per
 * CVAE step, on the main thread while the workers wait).
 *
 * Bit-identical to tf.train.adam: every operation of tfjs's update is one IEEE float32 operation
 * (on cpu computed in float64 and rounded, which for + − × ÷ √ gives the same float32), and the
 * wasm kernel performs exactly those, in tfjs's order. β₁ᵗ and β₂ᵗ stay tfjs's scalar variables
 * (accBeta1/accBeta2), so the checkpoint format and optimizer-state.ts are unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';
import { AdamBuffers, AdamConstants, readFloat32Into } from '@cvae/tfjs-kernels';

const fround = Math.fround;

/** Where one variable's values and moments live in the flat buffers, and the moments' names in getWeights(). */
interface Slot {
  firstName: string;
  secondName: string;
  shape: number[];
  offset: number;
  size: number;
}

export class FlatAdamOptimizer extends tf.AdamOptimizer {
  private slots: Slot[] = [];
  private buffers = new AdamBuffers(0);

  constructor(learningRate: number, beta1 = 0.9) {
    // tf.train.adam's defaults (β₁ as tf.train.adam(learningRate, beta1) takes it); epsilon null = the backend's (1e-7 for float32 backends).
    super(learningRate, beta1, 0.999, null as unknown as number);
  }

  /** tfjs's applyGradients (a map or list of named gradients, by position as tfjs matches moments). */
  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients) ? variableGradients : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    this.update(named.map(({ name, tensor }) => ({ variable: tf.engine().registeredVariables[name], grads: tensor ?? null })));
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
    return [await this.saveIterations(), ...moments(this.buffers.m, (s) => s.firstName), ...moments(this.buffers.v, (s) => s.secondName)];
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
    this.buffers = new AdamBuffers(0);
    this.ensureSlots(rest.slice(0, count).map(({ name, tensor }, i) => ({ firstName: name, secondName: rest[count + i].name, shape: [...tensor.shape], size: tensor.size })));
    rest.slice(0, count).forEach(({ tensor }, i) => this.buffers.m.set(tensor.dataSync() as Float32Array, this.slots[i].offset));
    rest.slice(count).forEach(({ tensor }, i) => this.buffers.v.set(tensor.dataSync() as Float32Array, this.slots[i].offset));
  }

  /** tfjs's private β₁ᵗ and β₂ᵗ scalar variables (read and written by optimizer-state.ts too). */
  private betaPowers(): [tf.Variable, tf.Variable] {
    const { accBeta1, accBeta2 } = this as unknown as { accBeta1: tf.Variable; accBeta2: tf.Variable };
    return [accBeta1, accBeta2];
  }

  private update(items: { variable: tf.Variable; grads: Float32Array | tf.Tensor | null }[]): void {
    this.ensureSlots(items.map(({ variable }) => ({ firstName: `${variable.name}/m`, secondName: `${variable.name}/v`, shape: [...variable.shape], size: variable.size })));
    const constants = this.constants();
    const { values, grads: flatGrads } = this.buffers;
    items.forEach(({ variable, grads }, i) => {
      if (grads == null) return; // as tfjs: no gradient, no update
      const { offset, size } = this.slots[i];
      readFloat32Into(variable, values, offset);
      if (grads instanceof Float32Array) flatGrads.set(grads, offset);
      else readFloat32Into(grads, flatGrads, offset);
      this.buffers.update(constants, offset, size);
    });
    const [accBeta1, accBeta2] = this.betaPowers();
    tf.tidy(() => {
      items.forEach(({ variable, grads }, i) => {
        const { offset, size } = this.slots[i];
        if (grads != null) variable.assign(tf.tensor(values.subarray(offset, offset + size), variable.shape, 'float32'));
      });
      accBeta1.assign(tf.scalar(fround(accBeta1.dataSync()[0] * constants.beta1)));
      accBeta2.assign(tf.scalar(fround(accBeta2.dataSync()[0] * constants.beta2)));
    });
    this.incrementIterations();
  }

  /** The float32 constants of this update (tfjs turns each JS number into a float32 scalar tensor). */
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

  /** Slots for variables not seen yet (moments zero, as tfjs starts them), appended in position order. */
  private ensureSlots(wanted: Omit<Slot, 'offset'>[]): void {
    if (wanted.length <= this.slots.length) return;
    let offset = this.buffers.size;
    for (const slot of wanted.slice(this.slots.length)) {
      this.slots.push({ ...slot, offset });
      offset += slot.size;
    }
    const grown = new AdamBuffers(offset);
    grown.m.set(this.buffers.m);
    grown.v.set(this.buffers.v);
    this.buffers = grown;
  }
}
