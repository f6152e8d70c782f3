/**
 * The architecture of a CVAE as data: what `cvae train --model FILE` reads, what every checkpoint's
 * manifest records, and what the PyTorch peer (`shared/peers/torch_cvae.py --architecture`) builds.
 * Fields may be added; none may be renamed (files written by earlier versions must keep parsing).
 */
import { z } from 'zod';
import { PositiveInt } from './common';

export const ACTIVATIONS = ['relu', 'linear', 'sigmoid', 'tanh', 'elu', 'softplus'] as const;
export const ActivationSchema = z.enum(ACTIVATIONS);
export type Activation = z.infer<typeof ActivationSchema>;

const LayerName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'expected a layer name of letters, digits and _');

const ConvLayerSchema = z.object({
  kind: z.enum(['conv2d', 'conv2dTranspose']),
  name: LayerName,
  filters: PositiveInt,
  kernelSize: PositiveInt,
  strides: PositiveInt,
  padding: z.enum(['valid', 'same']),
  activation: ActivationSchema,
});
const DenseLayerSchema = z.object({ kind: z.literal('dense'), name: LayerName, units: PositiveInt, activation: ActivationSchema });
const FlattenLayerSchema = z.object({ kind: z.literal('flatten'), name: LayerName });
const ReshapeLayerSchema = z.object({ kind: z.literal('reshape'), name: LayerName, targetShape: z.array(PositiveInt).min(1) });

export const LayerSpecSchema = z.discriminatedUnion('kind', [ConvLayerSchema, DenseLayerSchema, FlattenLayerSchema, ReshapeLayerSchema]);
export type LayerSpec = z.infer<typeof LayerSpecSchema>;

/**
 * How the decoder's output scores an image. 'bernoulli' (the seed; pixels binarized, one logit per
 * pixel and channel) or 'discretized-logistic' (8-bit levels; a mean and a log-scale per pixel and channel).
 */
export const LIKELIHOODS = ['bernoulli', 'discretized-logistic'] as const;
export const LikelihoodSchema = z.object({ kind: z.enum(LIKELIHOODS) });
export type Likelihood = z.infer<typeof LikelihoodSchema>;

/** Height, width, channels (1 grayscale or 3 RGB). */
export const InputShapeSchema = z.tuple([PositiveInt, PositiveInt, z.union([z.literal(1), z.literal(3)])]);
export type InputShape = z.infer<typeof InputShapeSchema>;

export const ArchitectureSchema = z.object({
  name: z.literal('cvae'),
  latentDim: PositiveInt,
  inputShape: InputShapeSchema,
  /** Encoder output is 2·latentDim wide: mean is the first half, logvar the second. */
  encoder: z.array(LayerSpecSchema).min(1),
  decoder: z.array(LayerSpecSchema).min(1),
  /** Absent: 'bernoulli' (so the seed's record stays byte for byte what it always was). */
  likelihood: LikelihoodSchema.optional(),
});
export type Architecture = z.infer<typeof ArchitectureSchema>;

/**
 * A model file as people write it: names may be left out (they are filled in as `encoder_1`,
 * `decoder_3`, … by position), `name` defaults to 'cvae', and a whole checkpoint manifest works too.
 */
const LooseLayerSchema = z.discriminatedUnion('kind', [
  ConvLayerSchema.extend({ name: LayerName.optional(), padding: ConvLayerSchema.shape.padding.default('valid'), activation: ActivationSchema.default('linear') }),
  DenseLayerSchema.extend({ name: LayerName.optional(), activation: ActivationSchema.default('linear') }),
  FlattenLayerSchema.extend({ name: LayerName.optional() }),
  ReshapeLayerSchema.extend({ name: LayerName.optional() }),
]);
export const ModelFileSchema = z.object({
  name: z.literal('cvae').default('cvae'),
  latentDim: PositiveInt,
  inputShape: InputShapeSchema,
  encoder: z.array(LooseLayerSchema).min(1),
  decoder: z.array(LooseLayerSchema).min(1),
  likelihood: LikelihoodSchema.optional(),
});

/** The architecture a model file describes, with every layer named. */
export function architectureFromModelFile(file: z.infer<typeof ModelFileSchema>): Architecture {
  const named = (part: 'encoder' | 'decoder') =>
    file[part].map((layer, i) => ({ ...layer, name: layer.name ?? `${part}_${i + 1}` }) as LayerSpec);
  const { likelihood, ...rest } = file;
  const architecture: Architecture = { ...rest, encoder: named('encoder'), decoder: named('decoder') };
  return likelihood === undefined || likelihood.kind === 'bernoulli' ? architecture : { ...architecture, likelihood };
}

export function likelihoodOf(architecture: Pick<Architecture, 'likelihood'>): Likelihood {
  return architecture.likelihood ?? { kind: 'bernoulli' };
}
