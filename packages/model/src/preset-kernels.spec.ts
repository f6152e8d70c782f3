/**
 * Every model preset trains on wasm the way it does on cpu: the −ELBO and its gradient w.r.t. every
 * trainable variable, on @cvae/tfjs-kernels' wasm kernels, match the cpu backend (whose conv kernels
 * are tested against tfjs's stock ones) from the same weights and the same seeded inputs. The loop
 * is over MODEL_PRESETS, so a new preset is covered when it is added.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@cvae/dataset';
import { initBackend } from '@cvae/tfjs-kernels';
import { Architecture, MODEL_PRESETS, likelihoodOf } from './architecture';
import { CVAE, WeightSnapshot } from './cvae';
import { negativeElbo } from './loss';

/**
 * max |wasm − cpu| / max |cpu| per gradient tensor, and |wasm − cpu| / |cpu| for the loss. The two
 * backends add the same float32 terms in different orders (conv.wasm's register tiles and Winograd
 * transforms, XNNPACK, SIMD lanes, against the cpu kernels' blocked loops), so every sum differs by a
 * few ulps (2^-24 ≈ 6e-8) of its largest terms times a factor that grows with the number of terms
 * (a filter gradient of conv64-rgb's output layer sums 3·64·64 products); those differences then pass
 * through up to 11 weight layers forward and back, and a relu unit at its kink can land on the other side.
 * Measured at batch 3: at most 1.8e-6 (conv64-rgb's loss; gradients ≤ 1.6e-6), the same with
 * CVAE_WASM_FMA=0, CVAE_WASM_WINOGRAD=always or CVAE_WASM_CONV=xnnpack. 1e-4 leaves 50× of room for
 * another engine's rounding, and is the per-call tolerance of the kernel specs; a kernel fault (a
 * wrong tap, channel, bias or activation, a misplaced tile) moves gradients by percents.
 */
const TOLERANCE = 1e-4;
const BATCH = 3;
const SEED = 42;
// The cpu side of the 64×64 RGB preset takes seconds on a loaded 2-core machine.
jest.setTimeout(120_000);

interface Inputs {
  x: Float32Array;
  eps: Float32Array;
}

/** Seeded images the preset's likelihood models: {0, 1} pixels (Bernoulli) or levels k/255 (discretized logistic). */
function seededInputs(architecture: Architecture, batch: number): Inputs {
  const [height, width, channels] = architecture.inputShape;
  const random = new SeededRandom(7);
  const bernoulli = likelihoodOf(architecture).kind === 'bernoulli';
  const pixel = () => (bernoulli ? (random.uniform() > 0.7 ? 1 : 0) : Math.floor(random.uniform() * 256) / 255);
  const x = Float32Array.from({ length: batch * height * width * channels }, pixel);
  return { x, eps: new SeededRandom(8).normals(batch * architecture.latentDim) };
}

interface LossAndGradients {
  loss: number;
  grads: Float32Array[];
  names: string[];
  weights: WeightSnapshot;
}

/**
 * The seeded init with seeded biases in [−0.1, 0.1): the init's zero biases would hide a kernel that
 * drops or misplaces its bias in the forward pass.
 */
function withSeededBiases(weights: WeightSnapshot): WeightSnapshot {
  const random = new SeededRandom(9);
  return weights.map((w) => (w.name.endsWith('/bias') ? { ...w, values: w.values.map(() => 0.2 * random.uniform() - 0.1) } : w));
}

/** The −ELBO and its gradients (host arrays, trainableVariables() order) on `backendName`, from `weights` or the seeded start. */
async function lossAndGradients(backendName: 'cpu' | 'wasm', architecture: Architecture, inputs: Inputs, weights?: WeightSnapshot): Promise<LossAndGradients> {
  await initBackend(backendName);
  const model = CVAE.create({ architecture, seed: SEED });
  try {
    model.setWeights(weights ?? withSeededBiases(model.getWeightsSnapshot()));
    const variables = model.trainableVariables();
    const x = model.imageTensor(inputs.x, BATCH);
    const eps = tf.tensor2d(inputs.eps, [BATCH, architecture.latentDim]);
    const { value, grads } = tf.variableGrads(() => negativeElbo(model, x, eps), variables);
    const snapshot = model.getWeightsSnapshot();
    const result = {
      loss: value.dataSync()[0],
      grads: variables.map((v) => Float32Array.from(grads[v.name].dataSync())),
      names: snapshot.map((w) => w.name),
      weights: snapshot,
    };
    tf.dispose([x, eps, value, ...Object.values(grads)]);
    return result;
  } finally {
    model.dispose();
  }
}

// Local names: a lookup of the global Math inside jest's vm context costs ~0.5 µs, seconds over
// the 1.6 million gradient values of conv64-rgb.
const { abs, max } = Math;

function maxAbs(values: Float32Array): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = max(m, abs(values[i]));
  return m;
}

/** max |actual − expected| / max |expected|; NaN anywhere gives Infinity. */
function relativeError(actual: Float32Array, expected: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = abs(actual[i] - expected[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst / maxAbs(expected);
}

describe.each(Object.keys(MODEL_PRESETS))('preset %s: −ELBO and its gradients on wasm vs cpu', (preset) => {
  const architecture = MODEL_PRESETS[preset].build();
  let cpu: LossAndGradients;
  let wasm: LossAndGradients;

  beforeAll(async () => {
    const inputs = seededInputs(architecture, BATCH);
    cpu = await lossAndGradients('cpu', architecture, inputs);
    wasm = await lossAndGradients('wasm', architecture, inputs, cpu.weights);
  });

  it('gives a finite loss that agrees within the tolerance', () => {
    expect(Number.isFinite(cpu.loss)).toBe(true);
    expect(Math.abs(wasm.loss - cpu.loss) / Math.abs(cpu.loss)).toBeLessThanOrEqual(TOLERANCE);
  });

  it('gives every trainable variable a gradient, none of them all zero', () => {
    expect(wasm.names).toEqual(cpu.names);
    expect(cpu.grads.length).toBe(cpu.weights.length);
    expect(cpu.names.filter((_, i) => !(maxAbs(cpu.grads[i]) > 0))).toEqual([]);
  });

  it('agrees on every gradient within the tolerance', () => {
    const errors = cpu.grads.map((expected, i) => ({ variable: cpu.names[i], relativeError: relativeError(wasm.grads[i], expected) }));
    expect(errors.filter((e) => !(e.relativeError <= TOLERANCE))).toEqual([]);
  });
});
