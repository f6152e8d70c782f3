import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '@cvae/dataset';
import { conv2dBiasActivation, conv2dTransposeBiasActivation, denseBiasActivation } from '@cvae/tfjs-kernels';
import type { Activation } from '@cvae/formats';
import type { GridLayout } from '@cvae/images';
import {
  Architecture,
  InputShape,
  LayerSpec,
  assertLatentDim,
  convLength,
  decoderOutputShape,
  formatShape,
  likelihoodOf,
  tutorialArchitecture,
  validateArchitecture,
} from './architecture';
import { reparameterizeOp } from './latent-ops';
import { meanImage } from './likelihood';

/** Plain-data copy of one weight, independent of any backend (survives tf.setBackend). */
export interface WeightSnapshotEntry {
  name: string;
  shape: number[];
  values: Float32Array;
}
export type WeightSnapshot = WeightSnapshotEntry[];

export interface CreateCvaeOptions {
  /** What to build (default: the tutorial's architecture with `latentDim`). */
  architecture?: Architecture;
  /** With the default architecture only. */
  latentDim?: number;
  /** Required: initial weights are a pure function of (seed, architecture), on every backend. */
  seed: number;
}

export class CVAE {
  private readonly encoderLayers: BoundLayer[];
  private readonly decoderLayers: BoundLayer[];

  private constructor(
    readonly encoder: tfl.LayersModel,
    readonly decoder: tfl.LayersModel,
    readonly architecture: Architecture,
  ) {
    this.encoderLayers = bindLayers(encoder, architecture.encoder);
    this.decoderLayers = bindLayers(decoder, architecture.decoder);
  }

  static create({ architecture, latentDim, seed }: CreateCvaeOptions): CVAE {
    if (!Number.isFinite(seed)) throw new Error(`CVAE.create: seed must be a finite number, got ${seed}`);
    if (architecture !== undefined && latentDim !== undefined && latentDim !== architecture.latentDim) {
      throw new Error(`CVAE.create: latentDim ${latentDim} contradicts the architecture's ${architecture.latentDim}`);
    }
    const arch = architecture ?? tutorialArchitecture(latentDim);
    validateArchitecture(arch);
    const encoder = buildSequential('encoder', [...arch.inputShape], arch.encoder, seed);
    const decoder = buildSequential('decoder', [arch.latentDim], arch.decoder, seed);
    return new CVAE(encoder, decoder, arch);
  }

  /**
   * Wraps already-built models (e.g. loaded from a checkpoint) after checking that they are
   * `architecture`: input/output shapes, and each layer's kind, activation and size.
   */
  static fromModels(encoder: tfl.LayersModel, decoder: tfl.LayersModel, architecture: Architecture): CVAE {
    assertLatentDim(architecture.latentDim);
    validateArchitecture(architecture);
    const arch = architecture;
    assertShape('encoder input', encoder.inputs[0].shape, [null, ...arch.inputShape]);
    assertShape('encoder output', encoder.outputs[0].shape, [null, 2 * arch.latentDim]);
    assertShape('decoder input', decoder.inputs[0].shape, [null, arch.latentDim]);
    assertShape('decoder output', decoder.outputs[0].shape, [null, ...decoderOutputShape(arch)]);
    return new CVAE(encoder, decoder, arch);
  }

  get latentDim(): number {
    return this.architecture.latentDim;
  }

  /** Height, width, channels of the images the model encodes and generates. */
  get inputShape(): InputShape {
    return this.architecture.inputShape;
  }

  /** Values per image (height·width·channels). */
  get pixelsPerImage(): number {
    const [height, width, channels] = this.architecture.inputShape;
    return height * width * channels;
  }

  /** A rows×cols grid of this model's images (for tileGrid). */
  gridLayout(rows: number, cols: number): GridLayout {
    const [tileHeight, tileWidth, channels] = this.architecture.inputShape;
    return { rows, cols, tileHeight, tileWidth, channels };
  }

  /** decodeMean of flat [count, latentDim] points, as a flat NHWC array. */
  decodeMeanValues(z: Float32Array): Float32Array {
    const images = tf.tidy(() => this.decodeMean(tf.tensor2d(z, [z.length / this.latentDim, this.latentDim])));
    try {
      return images.dataSync() as Float32Array;
    } finally {
      images.dispose();
    }
  }

  /** A flat NHWC batch of images as the encoder's input tensor. */
  imageTensor(images: Float32Array, count = images.length / this.pixelsPerImage): tf.Tensor4D {
    return tf.tensor4d(images.subarray(0, count * this.pixelsPerImage), [count, ...this.inputShape]);
  }

  encode(x: tf.Tensor4D): { mean: tf.Tensor2D; logvar: tf.Tensor2D } {
    assertShape('encode input', x.shape, [null, ...this.inputShape]);
    return tf.tidy(() => {
      const meanAndLogvar = runLayers(this.encoderLayers, x) as tf.Tensor2D;
      const [mean, logvar] = tf.split(meanAndLogvar, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return { mean, logvar };
    });
  }

  /**
   * z = mean + exp(logvar / 2) · eps. When `eps` is omitted it is drawn from tf.randomNormal,
   * which is NOT reproducible: callers that care about determinism (training, tests,
   * cross-backend comparisons) must pass their own seeded eps.
   */
  reparameterize(mean: tf.Tensor2D, logvar: tf.Tensor2D, eps?: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const noise = eps ?? tf.randomNormal<tf.Rank.R2>(mean.shape);
      assertShape('reparameterize eps', noise.shape, mean.shape);
      return reparameterizeOp(mean, logvar, noise);
    });
  }

  /**
   * The decoder's output: the likelihood's parameters per pixel (logits for 'bernoulli'; means then
   * log-scales, channel by channel, for 'discretized-logistic').
   */
  decode(z: tf.Tensor2D): tf.Tensor4D {
    assertShape('decode input', z.shape, [null, this.latentDim]);
    return tf.tidy(() => runLayers(this.decoderLayers, z) as tf.Tensor4D);
  }

  /** The image the decoder describes for `z`, in [0, 1] per channel: sigmoid(logits), or the logistic's mean. */
  decodeMean(z: tf.Tensor2D): tf.Tensor4D {
    return tf.tidy(() => meanImage(likelihoodOf(this.architecture), this.decode(z)));
  }

  /** Images for latent points `eps` (e.g. standard-normal draws, or a grid): decodeMean. */
  sample(eps: tf.Tensor2D): tf.Tensor4D {
    return this.decodeMean(eps);
  }

  parameterCount(): number {
    return this.encoder.countParams() + this.decoder.countParams();
  }

  /**
   * Encoder variables then decoder variables, each in layer order (kernel before bias).
   * The order is stable across create/load; variable *names* may carry a `_1` suffix when
   * several models live in one process, so key optimizer state by position, not by name.
   */
  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  }

  /** Copies every weight to plain arrays, in trainableVariables() order. */
  getWeightsSnapshot(): WeightSnapshot {
    const weights = [...this.encoder.trainableWeights, ...this.decoder.trainableWeights];
    return weights.map((w) => ({
      name: w.originalName,
      shape: [...w.read().shape],
      values: Float32Array.from(w.read().dataSync()),
    }));
  }

  /** Restores a snapshot taken from a model of the same architecture. */
  setWeights(snapshot: WeightSnapshot): void {
    const variables = this.trainableVariables();
    if (snapshot.length !== variables.length) {
      throw new Error(`CVAE.setWeights: snapshot has ${snapshot.length} weights, model has ${variables.length}`);
    }
    variables.forEach((variable, i) => {
      assertShape(`setWeights ${snapshot[i].name}`, snapshot[i].shape, variable.shape);
      tf.tidy(() => variable.assign(tf.tensor(snapshot[i].values, variable.shape, 'float32')));
    });
  }

  dispose(): void {
    this.encoder.dispose();
    this.decoder.dispose();
  }
}

/** A layer of the architecture and the tf.layers layer holding its weights. */
interface BoundLayer {
  spec: LayerSpec;
  layer: tfl.layers.Layer;
}

const LAYER_CLASS: Record<LayerSpec['kind'], string> = { conv2d: 'Conv2D', conv2dTranspose: 'Conv2DTranspose', dense: 'Dense', flatten: 'Flatten', reshape: 'Reshape' };

/**
 * Pairs each spec with the model's layer of that name, checking it is that kind of layer with that
 * activation and size (a loaded model that is not this architecture fails here, not in a forward pass).
 */
function bindLayers(model: tfl.LayersModel, specs: LayerSpec[]): BoundLayer[] {
  const built = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  if (built.length !== specs.length) {
    throw new Error(`CVAE: model ${model.name} has ${built.length} layers (${built.map((l) => l.name).join(', ')}), the architecture ${specs.length}`);
  }
  return specs.map((spec, i) => {
    const layer = built[i];
    const mismatch = layer.name === spec.name ? layerMismatch(spec, layer) : `is named ${layer.name}`;
    if (mismatch !== undefined) throw new Error(`CVAE: layer ${i + 1} of ${model.name} (${spec.name}) ${mismatch}, expected ${describeSpec(spec)}`);
    return { spec, layer };
  });
}

/** How a built layer differs from its spec, in a few words (undefined: it is the spec). */
function layerMismatch(spec: LayerSpec, layer: tfl.layers.Layer): string | undefined {
  const config = layer.getConfig() as Record<string, unknown>;
  const actual: Record<string, unknown> = { kind: layer.getClassName(), activation: config.activation };
  const expected: Record<string, unknown> = { kind: LAYER_CLASS[spec.kind] };
  if ('activation' in spec) expected.activation = spec.activation;
  if (spec.kind === 'conv2d' || spec.kind === 'conv2dTranspose') {
    Object.assign(actual, { filters: config.filters, kernelSize: firstOf(config.kernelSize), strides: firstOf(config.strides), padding: config.padding });
    Object.assign(expected, { filters: spec.filters, kernelSize: spec.kernelSize, strides: spec.strides, padding: spec.padding });
  } else if (spec.kind === 'dense') {
    actual.units = config.units;
    expected.units = spec.units;
  } else if (spec.kind === 'reshape') {
    actual.targetShape = JSON.stringify(config.targetShape);
    expected.targetShape = JSON.stringify(spec.targetShape);
  }
  const differs = Object.keys(expected).filter((key) => actual[key] !== expected[key]);
  return differs.length === 0 ? undefined : `has ${differs.map((key) => `${key} ${String(actual[key])}`).join(', ')}`;
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

function describeSpec(spec: LayerSpec): string {
  const { name: _name, ...rest } = spec;
  return Object.entries(rest).map(([key, value]) => `${key} ${Array.isArray(value) ? formatShape(value) : String(value)}`).join(', ');
}

/**
 * The layers' computation, on their own weights, as @cvae/tfjs-kernels' layer ops: what tf.layers
 * computes for these layers, with a conv, its bias and its activation as one kernel on wasm (and one
 * gradient); on other backends the ops are tfjs's own fused ops, as tf.layers runs them.
 */
function runLayers(layers: BoundLayer[], input: tf.Tensor): tf.Tensor {
  return layers.reduce((x, { spec, layer }) => runLayer(spec, layer, x), input);
}

function runLayer(spec: LayerSpec, layer: tfl.layers.Layer, x: tf.Tensor): tf.Tensor {
  const batch = x.shape[0];
  const weights = () => layer.getWeights() as [tf.Tensor, tf.Tensor1D];
  switch (spec.kind) {
    case 'conv2d': {
      const [kernel, bias] = weights();
      const y = conv2dBiasActivation(x as tf.Tensor4D, kernel as tf.Tensor4D, bias, { strides: spec.strides, pad: spec.padding, activation: fusedActivation(spec.activation) });
      return unfusedActivation(y, spec.activation);
    }
    case 'conv2dTranspose': {
      const [kernel, bias] = weights();
      const [, height, width] = x.shape;
      const outputShape: [number, number, number, number] = [batch, convLength(spec, height), convLength(spec, width), spec.filters];
      const attrs = { outputShape, strides: spec.strides, pad: spec.padding, activation: fusedActivation(spec.activation) };
      return unfusedActivation(conv2dTransposeBiasActivation(x as tf.Tensor4D, kernel as tf.Tensor4D, bias, attrs), spec.activation);
    }
    case 'dense': {
      const [kernel, bias] = weights();
      return unfusedActivation(denseBiasActivation(x as tf.Tensor2D, kernel as tf.Tensor2D, bias, fusedActivation(spec.activation)), spec.activation);
    }
    case 'flatten':
      return tf.reshape(x, [batch, -1]);
    case 'reshape':
      return tf.reshape(x, [batch, ...spec.targetShape]);
  }
}

/** The fused kernels apply relu (or nothing) themselves; the other activations follow as their own op. */
function fusedActivation(activation: Activation): 'relu' | 'linear' {
  return activation === 'relu' ? 'relu' : 'linear';
}

function unfusedActivation<T extends tf.Tensor>(y: T, activation: Activation): T {
  switch (activation) {
    case 'relu':
    case 'linear':
      return y;
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'tanh':
      return tf.tanh(y);
    case 'elu':
      return tf.elu(y);
    case 'softplus':
      return tf.softplus(y);
  }
}

function buildSequential(name: string, inputShape: number[], specs: LayerSpec[], seed: number): tfl.LayersModel {
  const input = tfl.layers.inputLayer({ name: `${name}_input`, inputShape });
  const layers = specs.map((spec) => buildLayer(spec, seed));
  return tfl.sequential({ name, layers: [input, ...layers] });
}

function buildLayer(spec: LayerSpec, seed: number): tfl.layers.Layer {
  // Seed per layer name: adding or reordering layers never changes another layer's init.
  const init = {
    kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(seed, spec.name) }),
    biasInitializer: tfl.initializers.zeros(),
  };
  switch (spec.kind) {
    case 'conv2d':
    case 'conv2dTranspose': {
      const { name, filters, kernelSize, strides, padding, activation } = spec;
      const args = { name, filters, kernelSize, strides, padding, activation, dataFormat: 'channelsLast' as const, ...init };
      return spec.kind === 'conv2d' ? tfl.layers.conv2d(args) : tfl.layers.conv2dTranspose(args);
    }
    case 'dense':
      return tfl.layers.dense({ name: spec.name, units: spec.units, activation: spec.activation, ...init });
    case 'flatten':
      return tfl.layers.flatten({ name: spec.name });
    case 'reshape':
      return tfl.layers.reshape({ name: spec.name, targetShape: spec.targetShape });
  }
}

/** `null` in `expected` matches any size (the batch dimension). */
function assertShape(what: string, actual: readonly (number | null)[], expected: readonly (number | null)[]): void {
  const matches = actual.length === expected.length && expected.every((dim, i) => dim === null || dim === actual[i]);
  if (!matches) {
    throw new Error(`CVAE: ${what} has shape [${actual.join(',')}], expected [${expected.map((d) => d ?? 'batch').join(',')}]`);
  }
}
