/**
 * Architectures as data: the presets, reading a model file, and the shape walk that validates an
 * architecture before anything is built (one line naming the layer and both shapes).
 */
import { readFileSync } from 'fs';
import type { Binarization } from '@cvae/dataset';
import {
  Architecture,
  ArchitectureSchema,
  FormatError,
  InputShape,
  LayerSpec,
  Likelihood,
  ModelFileSchema,
  architectureFromModelFile,
  likelihoodOf,
  parseJsonText,
} from '@cvae/formats';
import { decoderChannels } from './likelihood';

export type { Architecture, InputShape, LayerSpec, Likelihood };
export { likelihoodOf };

export const DEFAULT_LATENT_DIM = 2;
/** The seed's images: binarized MNIST, 28×28×1. */
export const SEED_IMAGE_SHAPE: InputShape = [28, 28, 1];

/** A wrong architecture: one line naming the layer (or part) and both shapes. */
export class ArchitectureError extends Error {
  override name = 'ArchitectureError';
}

/** The decoder's output shape for an architecture: the image's height and width, its channels times the likelihood's. */
export function decoderOutputShape(architecture: Pick<Architecture, 'inputShape' | 'likelihood'>): number[] {
  const [height, width, channels] = architecture.inputShape;
  return [height, width, decoderChannels(likelihoodOf(architecture), channels)];
}

/** How a dataset's bytes become the model's pixels: binarized at 0.5 for Bernoulli (the seed), level/255 otherwise. */
export function binarizationFor(architecture: Pick<Architecture, 'likelihood'>): Binarization {
  return likelihoodOf(architecture).kind === 'bernoulli' ? 0.5 : 'none';
}

/** The images of a dataset must be the model's height, width and channels: one line naming both. */
export function assertImagesFit(images: { height: number; width: number; channels?: number }, architecture: Pick<Architecture, 'inputShape'>, what: string): void {
  const shape = [images.height, images.width, images.channels ?? 1];
  if (shape.some((d, i) => d !== architecture.inputShape[i])) {
    throw new ArchitectureError(`${what}: images are ${formatShape(shape)}, the model's input is ${formatShape(architecture.inputShape)}`);
  }
}

const conv = (name: string, filters: number, strides: number, padding: 'valid' | 'same', activation: 'relu' | 'linear' = 'relu'): LayerSpec => ({
  kind: 'conv2d',
  name,
  filters,
  kernelSize: 3,
  strides,
  padding,
  activation,
});
const deconv = (name: string, filters: number, strides: number, activation: 'relu' | 'linear' = 'relu'): LayerSpec => ({
  kind: 'conv2dTranspose',
  name,
  filters,
  kernelSize: 3,
  strides,
  padding: 'same',
  activation,
});

/** The seed architecture of the TensorFlow CVAE tutorial (28×28×1, Bernoulli), as data. */
export function tutorialArchitecture(latentDim: number = DEFAULT_LATENT_DIM): Architecture {
  assertLatentDim(latentDim);
  return {
    name: 'cvae',
    latentDim,
    inputShape: [...SEED_IMAGE_SHAPE],
    encoder: [
      conv('encoder_conv1', 32, 2, 'valid'),
      conv('encoder_conv2', 64, 2, 'valid'),
      { kind: 'flatten', name: 'encoder_flatten' },
      { kind: 'dense', name: 'encoder_mean_logvar', units: 2 * latentDim, activation: 'linear' },
    ],
    decoder: [
      { kind: 'dense', name: 'decoder_dense', units: 7 * 7 * 32, activation: 'relu' },
      { kind: 'reshape', name: 'decoder_reshape', targetShape: [7, 7, 32] },
      deconv('decoder_deconv1', 64, 2),
      deconv('decoder_deconv2', 32, 2),
      deconv('decoder_logits', 1, 1, 'linear'),
    ],
  };
}

/**
 * The tutorial article's alternative: a multilayer perceptron encoder and decoder (one hidden layer
 * of 512 each) around the same bottleneck, on the same images.
 */
export function mlpArchitecture(latentDim: number = DEFAULT_LATENT_DIM): Architecture {
  assertLatentDim(latentDim);
  const [height, width, channels] = SEED_IMAGE_SHAPE;
  return {
    name: 'cvae',
    latentDim,
    inputShape: [...SEED_IMAGE_SHAPE],
    encoder: [
      { kind: 'flatten', name: 'encoder_flatten' },
      { kind: 'dense', name: 'encoder_hidden', units: 512, activation: 'relu' },
      { kind: 'dense', name: 'encoder_mean_logvar', units: 2 * latentDim, activation: 'linear' },
    ],
    decoder: [
      { kind: 'dense', name: 'decoder_hidden', units: 512, activation: 'relu' },
      { kind: 'dense', name: 'decoder_logits_flat', units: height * width * channels, activation: 'linear' },
      { kind: 'reshape', name: 'decoder_logits', targetShape: [height, width, channels] },
    ],
  };
}

/**
 * A deeper convolutional CVAE for `side`×`side` RGB images (side a multiple of 8): stride-2 stages
 * down to 4×4 (32, 64, 128, … filters), a dense bottleneck, and the mirror image up, with the
 * discretized logistic likelihood over the 256 levels of each channel.
 */
export function convRgbArchitecture(side: number, latentDim = 16): Architecture {
  assertLatentDim(latentDim);
  if (!Number.isInteger(side) || side < 8 || (side & (side - 1)) !== 0) {
    throw new ArchitectureError(`convRgbArchitecture: side must be a power of two ≥ 8, got ${side}`);
  }
  const stages = Math.log2(side / 4);
  const filters = (i: number) => Math.min(32 * 2 ** i, 256);
  const likelihood: Likelihood = { kind: 'discretized-logistic' };
  const deepest = filters(stages - 1);
  return {
    name: 'cvae',
    latentDim,
    inputShape: [side, side, 3],
    encoder: [
      ...Array.from({ length: stages }, (_, i) => conv(`encoder_conv${i + 1}`, filters(i), 2, 'same')),
      { kind: 'flatten', name: 'encoder_flatten' },
      { kind: 'dense', name: 'encoder_mean_logvar', units: 2 * latentDim, activation: 'linear' },
    ],
    decoder: [
      { kind: 'dense', name: 'decoder_dense', units: 4 * 4 * deepest, activation: 'relu' },
      { kind: 'reshape', name: 'decoder_reshape', targetShape: [4, 4, deepest] },
      ...Array.from({ length: stages }, (_, i) => deconv(`decoder_deconv${i + 1}`, filters(stages - 1 - i), 2)),
      deconv('decoder_output', decoderChannels(likelihood, 3), 1, 'linear'),
    ],
    likelihood,
  };
}

/** The presets `cvae train --model NAME` knows, each built for a latent size (undefined: the preset's own). */
export const MODEL_PRESETS: Record<string, { summary: string; build: (latentDim?: number) => Architecture }> = {
  tutorial: { summary: 'the TensorFlow tutorial CVAE on 28×28×1 binarized images (the default)', build: (l) => tutorialArchitecture(l) },
  mlp: { summary: 'the article\'s perceptron encoder/decoder (512 hidden) on 28×28×1', build: (l) => mlpArchitecture(l) },
  'conv32-rgb': { summary: 'a 3-stage convolutional CVAE for 32×32 RGB, discretized logistic (latent 16)', build: (l) => convRgbArchitecture(32, l) },
  'conv64-rgb': { summary: 'a 4-stage convolutional CVAE for 64×64 RGB, discretized logistic (latent 16)', build: (l) => convRgbArchitecture(64, l) },
};

/**
 * `--model NAME|FILE`: a preset, or a JSON model file (the architecture block of a manifest, or a
 * whole manifest.json). `latentDim` overrides the file's or preset's. Validated: throws ArchitectureError.
 */
export function resolveModel(model: string, latentDim?: number): Architecture {
  const preset = MODEL_PRESETS[model];
  const architecture = preset !== undefined ? preset.build(latentDim) : withLatentDim(readModelFile(model), latentDim);
  validateArchitecture(architecture, preset === undefined ? `model ${model}` : `model ${model}`);
  return architecture;
}

/** Reads a model file: one line naming the file and the field on any problem. */
export function readModelFile(file: string): Architecture {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const known = Object.keys(MODEL_PRESETS).join(', ');
    throw new ArchitectureError(code === 'ENOENT' ? `model ${file}: no such preset (${known}) or file` : `model ${file}: cannot be read (${code ?? String(error)})`);
  }
  try {
    const raw = JSON.parse(text) as { architecture?: unknown };
    const block = raw !== null && typeof raw === 'object' && 'architecture' in raw ? raw.architecture : raw;
    return architectureFromModelFile(parseJsonText(ModelFileSchema, JSON.stringify(block), file));
  } catch (error) {
    if (error instanceof FormatError) throw new ArchitectureError(`model ${error.message}`);
    throw new ArchitectureError(`model ${file}: not JSON (${(error as Error).message})`);
  }
}

/**
 * A model file's latent size replaced: the encoder's last layer must then be the 2·latentDim dense
 * layer, which is resized with it (what --latent-dim means for any architecture).
 */
function withLatentDim(architecture: Architecture, latentDim: number | undefined): Architecture {
  if (latentDim === undefined || latentDim === architecture.latentDim) return architecture;
  assertLatentDim(latentDim);
  const last = architecture.encoder[architecture.encoder.length - 1];
  if (last.kind !== 'dense') throw new ArchitectureError(`--latent-dim ${latentDim}: the encoder's last layer ${last.name} is not dense, so it cannot be resized`);
  return { ...architecture, latentDim, encoder: [...architecture.encoder.slice(0, -1), { ...last, units: 2 * latentDim }] };
}

/** Output shape of one layer (HWC, or [features]); throws one line naming the layer when the input does not fit. */
export function layerOutputShape(spec: LayerSpec, shape: number[], where: string): number[] {
  const fail = (problem: string) => new ArchitectureError(`${where}: layer ${spec.name} (${spec.kind}) ${problem}`);
  switch (spec.kind) {
    case 'conv2d':
    case 'conv2dTranspose': {
      if (shape.length !== 3) throw fail(`needs a height×width×channels input, got ${formatShape(shape)} (add a reshape before it)`);
      const size = (n: number) => convLength(spec, n);
      const out = [size(shape[0]), size(shape[1]), spec.filters];
      if (out[0] < 1 || out[1] < 1) throw fail(`output would be ${formatShape(out)} from input ${formatShape(shape)}`);
      return out;
    }
    case 'dense':
      if (shape.length !== 1) throw fail(`needs a flat input, got ${formatShape(shape)} (add a flatten before it)`);
      return [spec.units];
    case 'flatten':
      return [product(shape)];
    case 'reshape':
      if (product(spec.targetShape) !== product(shape)) {
        throw fail(`cannot reshape ${formatShape(shape)} (${product(shape)} values) to ${formatShape(spec.targetShape)} (${product(spec.targetShape)})`);
      }
      return [...spec.targetShape];
  }
}

/** A conv's (or transposed conv's) output length along one axis, as tf.layers computes it. */
export function convLength(spec: Extract<LayerSpec, { kind: 'conv2d' | 'conv2dTranspose' }>, n: number): number {
  const { kernelSize: k, strides: s, padding } = spec;
  if (spec.kind === 'conv2d') return padding === 'same' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;
  return padding === 'valid' ? n * s + Math.max(k - s, 0) : n * s;
}

/** Every layer's output shape, in order. */
export function layerShapes(specs: LayerSpec[], inputShape: number[], where: string): number[][] {
  const shapes: number[][] = [];
  specs.reduce((shape, spec) => {
    const next = layerOutputShape(spec, shape, where);
    shapes.push(next);
    return next;
  }, inputShape);
  return shapes;
}

/**
 * Checks an architecture before anything is built: unique layer names, every layer's input fits, the
 * encoder ends in 2·latentDim values, the decoder in the image's shape (times the likelihood's channels).
 */
export function validateArchitecture(architecture: Architecture, where = 'model'): void {
  const parsed = ArchitectureSchema.safeParse(architecture);
  if (!parsed.success) throw new ArchitectureError(`${where}: ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
  const names = [...architecture.encoder, ...architecture.decoder].map((l) => l.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new ArchitectureError(`${where}: layer name ${repeated} is used twice (names seed each layer's initial weights)`);
  const encoded = layerShapes(architecture.encoder, [...architecture.inputShape], `${where} encoder`);
  expectShape(`${where}: encoder output`, architecture.encoder, encoded, [2 * architecture.latentDim], `2·latentDim = ${2 * architecture.latentDim} (mean and logvar)`);
  const decoded = layerShapes(architecture.decoder, [architecture.latentDim], `${where} decoder`);
  const imageShape = decoderOutputShape(architecture);
  const why = likelihoodOf(architecture).kind === 'bernoulli' ? `input ${formatShape(architecture.inputShape)}` : `input ${formatShape(architecture.inputShape)} × 2 (mean and log-scale per channel)`;
  expectShape(`${where}: decoder output`, architecture.decoder, decoded, imageShape, why);
}

function expectShape(what: string, specs: LayerSpec[], shapes: number[][], expected: number[], why: string): void {
  const actual = shapes[shapes.length - 1];
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new ArchitectureError(`${what} ${formatShape(actual)} (layer ${specs[specs.length - 1].name}) vs ${formatShape(expected)} expected from ${why}`);
  }
}

/** The weights of one part in the order tf.layers stores them (kernel, then bias, layer by layer). */
export function expectedWeightShapes(architecture: Architecture, part: 'encoder' | 'decoder'): { name: string; shape: number[] }[] {
  const specs = architecture[part];
  const input = part === 'encoder' ? [...architecture.inputShape] : [architecture.latentDim];
  const inputs = [input, ...layerShapes(specs, input, part)];
  return specs.flatMap((spec, i) => {
    const inShape = inputs[i];
    const weights = (kernel: number[], units: number) => [
      { name: `${spec.name}/kernel`, shape: kernel },
      { name: `${spec.name}/bias`, shape: [units] },
    ];
    switch (spec.kind) {
      case 'conv2d':
        return weights([spec.kernelSize, spec.kernelSize, inShape[2], spec.filters], spec.filters);
      case 'conv2dTranspose':
        return weights([spec.kernelSize, spec.kernelSize, spec.filters, inShape[2]], spec.filters);
      case 'dense':
        return weights([inShape[0], spec.units], spec.units);
      default:
        return [];
    }
  });
}

/** One line naming every layer, e.g. `28×28×1 → c32/2 c64/2 f d4 → z2 → d1568 r7×7×32 t64/2 t32/2 t1/1 (bernoulli)`. */
export function describeArchitecture(architecture: Architecture): string {
  const { inputShape, latentDim } = architecture;
  return `${formatShape(inputShape)} → ${describeLayers(architecture.encoder)} → z${latentDim} → ${describeLayers(architecture.decoder)} (${likelihoodOf(architecture).kind})`;
}

/** Layers in a few characters each: c (conv), t (transposed conv) filters/stride, d units, f, r shape. */
function describeLayers(specs: LayerSpec[]): string {
  return specs.map(describeLayer).join(' ');
}

function describeLayer(spec: LayerSpec): string {
  switch (spec.kind) {
    case 'conv2d':
      return `c${spec.filters}/${spec.strides}`;
    case 'conv2dTranspose':
      return `t${spec.filters}/${spec.strides}`;
    case 'dense':
      return `d${spec.units}`;
    case 'flatten':
      return 'f';
    case 'reshape':
      return `r${formatShape(spec.targetShape)}`;
  }
}

/**
 * How `candidate` differs from `baseline`, in a few words (undefined: the same architecture), e.g.
 * `encoder_conv1 filters 32 → 48` or `latent 2 → 4; 3 decoder layers → 2`.
 */
export function architectureDifference(baseline: Architecture, candidate: Architecture): string | undefined {
  if (JSON.stringify(baseline) === JSON.stringify(candidate)) return undefined;
  const differences: string[] = [];
  const field = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) differences.push(`${what} ${formatValue(a)} → ${formatValue(b)}`);
  };
  field('input', baseline.inputShape, candidate.inputShape);
  field('latent', baseline.latentDim, candidate.latentDim);
  field('likelihood', likelihoodOf(baseline).kind, likelihoodOf(candidate).kind);
  for (const part of ['encoder', 'decoder'] as const) {
    const [a, b] = [baseline[part], candidate[part]];
    if (a.length !== b.length || a.some((l, i) => l.name !== b[i].name || l.kind !== b[i].kind)) {
      differences.push(`${part} ${describeLayers(a)} → ${describeLayers(b)}`);
      continue;
    }
    a.forEach((layer, i) => {
      for (const key of Object.keys(layer) as (keyof LayerSpec)[]) field(`${layer.name} ${String(key)}`, layer[key], b[i][key]);
    });
  }
  return differences.join('; ');
}

function formatValue(value: unknown): string {
  return Array.isArray(value) ? formatShape(value as number[]) : String(value);
}

export function formatShape(shape: readonly number[]): string {
  return shape.join('×');
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function assertLatentDim(latentDim: number): void {
  if (!Number.isInteger(latentDim) || latentDim < 1) {
    throw new ArchitectureError(`CVAE: latentDim must be a positive integer, got ${latentDim}`);
  }
}
