/**
 * The classifier sample quality is judged by (the MNIST digit classifier, or one of any labelled
 * dataset's shape and classes): a LeNet-style network whose layers are plain data (written into the
 * classifier's manifest and rebuilt from it on worker threads, where loading is synchronous).
 * Strided convolutions instead of pooling keep every training kernel on our conv.wasm path.
 * The penultimate dense layer's activations are the features the Fréchet distance is computed on.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed } from '@cvae/dataset';
import { ArchitectureError } from '@cvae/model';

/** The committed MNIST classifier's input and classes (the default of classifierArchitecture). */
export const CLASSIFIER_INPUT_SHAPE: readonly [number, number, number] = [28, 28, 1];
export const CLASSIFIER_CLASSES = 10;
/** Labels are bytes (as in IDX files and image folders). */
export const MAX_CLASSIFIER_CLASSES = 256;

export type ClassifierLayerSpec =
  | { kind: 'conv2d'; name: string; filters: number; kernelSize: number; strides: number; padding: 'same' | 'valid'; activation: 'relu' }
  | { kind: 'flatten'; name: string }
  | { kind: 'dense'; name: string; units: number; activation: 'relu' | 'linear' };

export interface ClassifierArchitecture {
  name: 'cvae-digit-classifier';
  /** [height, width, channels] of the images it takes. */
  inputShape: number[];
  classes: number;
  layers: ClassifierLayerSpec[];
  /** The layer whose output is the feature vector (the penultimate one); the last layer gives logits. */
  featureLayer: string;
}

/**
 * One line naming what is wrong with the shape or the class count of a classifier, or with the images
 * it is given; a kind of @cvae/model's ArchitectureError (the CLI's usage errors, exit 2).
 */
export class ClassifierShapeError extends ArchitectureError {
  override name = 'ClassifierShapeError';
}

/**
 * The architecture as data, for images of `inputShape` [h, w, c] and `classes` labels: two 5×5
 * stride-2 'same' convolutions, a 128-unit feature layer, `classes` logits. Only the first conv's
 * kernel depth (c), the flattened size and the logits depend on them: the same design for any data.
 * The defaults are the committed MNIST classifier's, whose record this is byte for byte.
 */
export function classifierArchitecture(inputShape: readonly number[] = CLASSIFIER_INPUT_SHAPE, classes: number = CLASSIFIER_CLASSES): ClassifierArchitecture {
  assertClassifierShape(inputShape, classes);
  return {
    name: 'cvae-digit-classifier',
    inputShape: [...inputShape],
    classes,
    layers: [
      { kind: 'conv2d', name: 'classifier_conv1', filters: 32, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' },
      { kind: 'conv2d', name: 'classifier_conv2', filters: 64, kernelSize: 5, strides: 2, padding: 'same', activation: 'relu' },
      { kind: 'flatten', name: 'classifier_flatten' },
      { kind: 'dense', name: 'classifier_features', units: 128, activation: 'relu' },
      { kind: 'dense', name: 'classifier_logits', units: classes, activation: 'linear' },
    ],
    featureLayer: 'classifier_features',
  };
}

function assertClassifierShape(inputShape: readonly number[], classes: number): void {
  const [height, width, channels] = inputShape;
  const sizes = inputShape.length === 3 && [height, width].every((n) => Number.isInteger(n) && n >= 1);
  if (!sizes || (channels !== 1 && channels !== 3)) {
    throw new ClassifierShapeError(`classifier: input shape must be [height, width, channels] with channels 1 or 3, got [${inputShape.join(', ')}]`);
  }
  if (!Number.isInteger(classes) || classes < 2 || classes > MAX_CLASSIFIER_CLASSES) {
    throw new ClassifierShapeError(`classifier: needs 2 to ${MAX_CLASSIFIER_CLASSES} classes, got ${classes}`);
  }
}

/** Features (penultimate layer) and logits of a batch; the caller disposes both. */
export interface ClassifierOutputs {
  features: tf.Tensor2D;
  logits: tf.Tensor2D;
}

export class Classifier {
  private constructor(
    /** The whole network as one Layers model (what is saved: model.json + weights.bin). */
    readonly network: tfl.LayersModel,
    readonly architecture: ClassifierArchitecture,
  ) {}

  /** Fresh weights: glorot-uniform kernels seeded by deriveSeed(seed, layer name), zero biases. */
  static create({ seed, architecture = classifierArchitecture() }: { seed: number; architecture?: ClassifierArchitecture }): Classifier {
    if (!Number.isInteger(seed)) throw new Error(`Classifier.create: seed must be an integer, got ${seed}`);
    const input = tfl.layers.inputLayer({ name: 'classifier_input', inputShape: architecture.inputShape });
    const network = tfl.sequential({ name: 'classifier', layers: [input, ...architecture.layers.map((spec) => buildLayer(spec, seed))] });
    return new Classifier(network, architecture);
  }

  /** Wraps a loaded Layers model after checking it is `architecture` (layer names, kinds and weight shapes). */
  static fromNetwork(network: tfl.LayersModel, architecture: ClassifierArchitecture): Classifier {
    const reference = Classifier.create({ seed: 0, architecture });
    try {
      const expected = reference.network.trainableWeights.map((w) => `${w.originalName}[${w.shape}]`);
      const actual = network.trainableWeights.map((w) => `${w.originalName}[${w.shape}]`);
      if (expected.join() !== actual.join()) {
        throw new Error(`network weights ${actual.join(', ')} do not match the architecture's ${expected.join(', ')}`);
      }
    } finally {
      reference.dispose();
    }
    return new Classifier(network, architecture);
  }

  get featureDim(): number {
    const spec = this.architecture.layers.find((layer) => layer.name === this.architecture.featureLayer);
    if (spec?.kind !== 'dense') throw new Error(`featureLayer ${this.architecture.featureLayer} is not a dense layer of the architecture`);
    return spec.units;
  }

  /** Runs the layers in order, keeping the feature layer's output; `training` is passed to every layer. */
  apply(x: tf.Tensor4D, { training = false }: { training?: boolean } = {}): ClassifierOutputs {
    return tf.tidy(() => {
      let features: tf.Tensor | undefined;
      let current: tf.Tensor = x;
      for (const layer of this.network.layers) {
        if (layer.getClassName() === 'InputLayer') continue;
        current = layer.getClassName() === 'Dense' ? applyDense(layer, current as tf.Tensor2D) : (layer.apply(current, { training }) as tf.Tensor);
        if (layer.name === this.architecture.featureLayer) features = current;
      }
      if (features === undefined) throw new Error(`the network has no layer ${this.architecture.featureLayer}`);
      return { features: features as tf.Tensor2D, logits: current as tf.Tensor2D };
    });
  }

  /** Kernel then bias, layer by layer: positions, not names, identify variables across threads. */
  trainableVariables(): tf.Variable[] {
    return this.network.trainableWeights.map((w) => w.read() as tf.Variable);
  }

  parameterCount(): number {
    return this.network.countParams();
  }

  /** Every weight in one flat array, in trainableVariables() order. */
  getFlatWeights(): Float32Array {
    const variables = this.trainableVariables();
    const flat = new Float32Array(variables.reduce((n, v) => n + v.size, 0));
    let offset = 0;
    for (const variable of variables) {
      flat.set(variable.dataSync() as Float32Array, offset);
      offset += variable.size;
    }
    return flat;
  }

  /** Sets every weight from a flat array made by getFlatWeights() of the same architecture. */
  setFlatWeights(flat: Float32Array): void {
    const variables = this.trainableVariables();
    const total = variables.reduce((n, v) => n + v.size, 0);
    if (flat.length !== total) throw new Error(`classifier weights: got ${flat.length} values, the network has ${total}`);
    let offset = 0;
    for (const variable of variables) {
      const values = flat.subarray(offset, offset + variable.size);
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, 'float32')));
      offset += variable.size;
    }
  }

  dispose(): void {
    this.network.dispose();
  }
}

/**
 * A dense layer's x·W + b with a gradient that transposes explicitly: tfjs-backend-wasm's BatchMatMul
 * takes a slow path for a transposed operand (measured: 206 ms for the 3136×128 layer's weight
 * gradient at batch 128, against 15 ms for the same product untransposed), and the stock gradient
 * of matMul asks for exactly those. Same weights, same forward math as the layer's own apply.
 */
const denseProduct = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D), tf.sum(dy, 0)];
    },
  };
}) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;

function applyDense(layer: tfl.layers.Layer, x: tf.Tensor2D): tf.Tensor {
  const [kernel, bias] = layer.trainableWeights.map((w) => w.read());
  const activation = (layer.getConfig() as { activation?: string }).activation;
  const pre = denseProduct(x, kernel, bias);
  return activation === 'relu' ? tf.relu(pre) : pre;
}

function buildLayer(spec: ClassifierLayerSpec, seed: number): tfl.layers.Layer {
  // Seed per layer name, as @cvae/model does: adding a layer never changes another layer's init.
  const init = { kernelInitializer: tfl.initializers.glorotUniform({ seed: deriveSeed(seed, spec.name) }), biasInitializer: tfl.initializers.zeros() };
  switch (spec.kind) {
    case 'conv2d': {
      const { name, filters, kernelSize, strides, padding, activation } = spec;
      return tfl.layers.conv2d({ name, filters, kernelSize, strides, padding, activation, dataFormat: 'channelsLast', ...init });
    }
    case 'flatten':
      return tfl.layers.flatten({ name: spec.name });
    case 'dense':
      return tfl.layers.dense({ name: spec.name, units: spec.units, activation: spec.activation, ...init });
  }
}
