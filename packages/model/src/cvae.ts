import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '@cvae/dataset';
import { conv2dBiasActivation, conv2dTransposeBiasActivation, denseBiasActivation } from '@cvae/tfjs-kernels';
import { reparameterizeOp } from './latent-ops';

/** Binarized MNIST images, NHWC. */
export const IMAGE_SHAPE: readonly [number, number, number] = [28, 28, 1];
export const DEFAULT_LATENT_DIM = 2;

type Activation = 'relu' | 'linear';

/**
 * One layer of the architecture as plain data. The models are built from these specs, so the
 * summary written into checkpoint manifests can never drift from what is actually built.
 */
export type LayerSpec =
  | { kind: 'conv2d' | 'conv2dTranspose'; name: string; filters: number; kernelSize: number; strides: number; padding: 'valid' | 'same'; activation: Activation }
  | { kind: 'dense'; name: string; units: number; activation: Activation }
  | { kind: 'flatten'; name: string }
  | { kind: 'reshape'; name: string; targetShape: number[] };

export interface ArchitectureSummary {
  name: 'cvae';
  latentDim: number;
  inputShape: number[];
  /** Encoder output is 2·latentDim wide: mean is the first half, logvar the second. */
  encoder: LayerSpec[];
  decoder: LayerSpec[];
}

/** The seed architecture of the TensorFlow CVAE tutorial, as data. */
export function architectureSummary(latentDim: number = DEFAULT_LATENT_DIM): ArchitectureSummary {
  assertLatentDim(latentDim);
  return {
    name: 'cvae',
    latentDim,
    inputShape: [...IMAGE_SHAPE],
    encoder: [
      { kind: 'conv2d', name: 'encoder_conv1', filters: 32, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' },
      { kind: 'conv2d', name: 'encoder_conv2', filters: 64, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu' },
      { kind: 'flatten', name: 'encoder_flatten' },
      { kind: 'dense', name: 'encoder_mean_logvar', units: 2 * latentDim, activation: 'linear' },
    ],
    decoder: [
      { kind: 'dense', name: 'decoder_dense', units: 7 * 7 * 32, activation: 'relu' },
      { kind: 'reshape', name: 'decoder_reshape', targetShape: [7, 7, 32] },
      { kind: 'conv2dTranspose', name: 'decoder_deconv1', filters: 64, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { kind: 'conv2dTranspose', name: 'decoder_deconv2', filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
      { kind: 'conv2dTranspose', name: 'decoder_logits', filters: 1, kernelSize: 3, strides: 1, padding: 'same', activation: 'linear' },
    ],
  };
}

/** Plain-data copy of one weight, independent of any backend (survives tf.setBackend). */
export interface WeightSnapshotEntry {
  name: string;
  shape: number[];
  values: Float32Array;
}
export type WeightSnapshot = WeightSnapshotEntry[];

export interface CreateCvaeOptions {
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
    readonly latentDim: number,
  ) {
    const arch = architectureSummary(latentDim);
    this.encoderLayers = bindLayers(encoder, arch.encoder);
    this.decoderLayers = bindLayers(decoder, arch.decoder);
  }

  static create({ latentDim = DEFAULT_LATENT_DIM, seed }: CreateCvaeOptions): CVAE {
    if (!Number.isFinite(seed)) throw new Error(`CVAE.create: seed must be a finite number, got ${seed}`);
    const arch = architectureSummary(latentDim);
    const encoder = buildSequential('encoder', [...IMAGE_SHAPE], arch.encoder, seed);
    const decoder = buildSequential('decoder', [latentDim], arch.decoder, seed);
    return new CVAE(encoder, decoder, latentDim);
  }

  /**
   * Wraps already-built models (e.g. loaded from a checkpoint) after checking that their
   * input/output shapes are the CVAE's for `latentDim`.
   */
  static fromModels(encoder: tfl.LayersModel, decoder: tfl.LayersModel, latentDim: number): CVAE {
    assertLatentDim(latentDim);
    assertShape('encoder input', encoder.inputs[0].shape, [null, ...IMAGE_SHAPE]);
    assertShape('encoder output', encoder.outputs[0].shape, [null, 2 * latentDim]);
    assertShape('decoder input', decoder.inputs[0].shape, [null, latentDim]);
    assertShape('decoder output', decoder.outputs[0].shape, [null, ...IMAGE_SHAPE]);
    return new CVAE(encoder, decoder, latentDim);
  }

  encode(x: tf.Tensor4D): { mean: tf.Tensor2D; logvar: tf.Tensor2D } {
    assertShape('encode input', x.shape, [null, ...IMAGE_SHAPE]);
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

  /** Returns logits by default; probabilities with `applySigmoid`. */
  decode(z: tf.Tensor2D, { applySigmoid = false }: { applySigmoid?: boolean } = {}): tf.Tensor4D {
    assertShape('decode input', z.shape, [null, this.latentDim]);
    return tf.tidy(() => {
      const logits = runLayers(this.decoderLayers, z) as tf.Tensor4D;
      return applySigmoid ? tf.sigmoid(logits) : logits;
    });
  }

  /** Pixel probabilities for latent points `eps` (e.g. standard-normal draws, or a grid). */
  sample(eps: tf.Tensor2D): tf.Tensor4D {
    return this.decode(eps, { applySigmoid: true });
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
 * activation (a loaded model that is not this architecture fails here, not in a forward pass).
 */
function bindLayers(model: tfl.LayersModel, specs: LayerSpec[]): BoundLayer[] {
  return specs.map((spec) => {
    const layer = model.getLayer(spec.name);
    const activation = (layer.getConfig() as { activation?: string }).activation;
    if (layer.getClassName() !== LAYER_CLASS[spec.kind] || ('activation' in spec && activation !== spec.activation)) {
      throw new Error(`CVAE: layer ${spec.name} is a ${layer.getClassName()} (${activation ?? 'no activation'}), expected ${LAYER_CLASS[spec.kind]}`);
    }
    return { spec, layer };
  });
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
      return conv2dBiasActivation(x as tf.Tensor4D, kernel as tf.Tensor4D, bias, { strides: spec.strides, pad: spec.padding, activation: spec.activation });
    }
    case 'conv2dTranspose': {
      const [kernel, bias] = weights();
      const [, height, width] = x.shape;
      const size = (n: number) => deconvLength(n, spec.strides, spec.kernelSize, spec.padding);
      const outputShape: [number, number, number, number] = [batch, size(height), size(width), spec.filters];
      return conv2dTransposeBiasActivation(x as tf.Tensor4D, kernel as tf.Tensor4D, bias, { outputShape, strides: spec.strides, pad: spec.padding, activation: spec.activation });
    }
    case 'dense': {
      const [kernel, bias] = weights();
      return denseBiasActivation(x as tf.Tensor2D, kernel as tf.Tensor2D, bias, spec.activation);
    }
    case 'flatten':
      return tf.reshape(x, [batch, -1]);
    case 'reshape':
      return tf.reshape(x, [batch, ...spec.targetShape]);
  }
}

/** A transposed conv's output size along one axis, as tf.layers' Conv2DTranspose computes it. */
function deconvLength(size: number, stride: number, kernelSize: number, padding: 'valid' | 'same'): number {
  return padding === 'valid' ? size * stride + Math.max(kernelSize - stride, 0) : size * stride;
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

function assertLatentDim(latentDim: number): void {
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new Error(`CVAE: latentDim must be a positive integer, got ${latentDim}`);
  }
}

/** `null` in `expected` matches any size (the batch dimension). */
function assertShape(what: string, actual: readonly (number | null)[], expected: readonly (number | null)[]): void {
  const matches = actual.length === expected.length && expected.every((dim, i) => dim === null || dim === actual[i]);
  if (!matches) {
    throw new Error(`CVAE: ${what} has shape [${actual.join(',')}], expected [${expected.map((d) => d ?? 'batch').join(',')}]`);
  }
}
