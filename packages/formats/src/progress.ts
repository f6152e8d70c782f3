/**
 * `runs/<name>/progress.json`: where a training process is within the current epoch, so the viewer can
 * show a live run without reading anything the trainer has not finished writing. Training rewrites it
 * atomically at most once a second (and at phase changes); `updatedAt` lets a reader tell a live run
 * from one whose process died without updating run.json.
 */
import { z } from 'zod';
import { IsoDate, NonNegativeInt, PositiveInt } from './common';

export const PROGRESS_FORMAT_VERSION = 1;
/** Longest a live trainer goes without rewriting progress.json (a heartbeat; a step or an eval chunk is far shorter). */
export const PROGRESS_HEARTBEAT_SECONDS = 5;

/** training: stepping through the epoch's batches; evaluating: the test set after the epoch; ended: the session is over. */
export const TRAINING_PHASES = ['training', 'evaluating', 'ended'] as const;

export const TrainingProgressSchema = z.object({
  formatVersion: z.literal(PROGRESS_FORMAT_VERSION),
  phase: z.enum(TRAINING_PHASES),
  /** The epoch being trained or evaluated (1-based); after the session, the last epoch completed (0 if none). */
  epoch: NonNegativeInt,
  epochs: PositiveInt,
  /** Training batches of this epoch done so far, of `batches`. */
  batch: NonNegativeInt,
  batches: PositiveInt,
  /** Test images evaluated so far, of `testImages` (phase 'evaluating'). */
  evaluated: NonNegativeInt,
  testImages: PositiveInt,
  /** Training throughput of this epoch so far. */
  imagesPerSecond: z.number().nonnegative(),
  /** Seconds until this epoch's training part ends at the current rate; null before the first step. */
  etaSeconds: z.number().nonnegative().nullable(),
  /** Mean −ELBO of this epoch's batches so far; null before the first step. */
  runningLoss: z.number().nullable(),
  updatedAt: IsoDate,
});
export type TrainingProgress = z.infer<typeof TrainingProgressSchema>;
