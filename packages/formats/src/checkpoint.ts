import { z } from 'zod';
import { IsoDate, NonNegativeInt, PositiveInt, Sha256 } from './common';
import { ArchitectureSchema } from './architecture';
import { LegacyTrainingDataSchema, TrainingDataSchema } from './dataset';

/** 2: any architecture (recorded in the manifest, built from it). 1: the seed architecture only; still read. */
export const CHECKPOINT_FORMAT_VERSION = 2;

/** Forward-slash relative path with no empty, "." or ".." segments. */
export function isSafeRelativePath(name: string): boolean {
  return name.length > 0 && !name.includes('\\') && !name.startsWith('/') && name.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** `<checkpoint>/manifest.json`: what the checkpoint holds and the sha256 of every other file in it. */
export const CheckpointManifestSchema = z.object({
  formatVersion: z.union([z.literal(1), z.literal(CHECKPOINT_FORMAT_VERSION)]),
  latentDim: PositiveInt,
  /** The architecture as data: what the checkpoint's models are (checked against them by @cvae/model). */
  architecture: ArchitectureSchema,
  epoch: NonNegativeInt,
  step: NonNegativeInt,
  seeds: z.record(z.string(), z.number()),
  /** The training data (identified; or, for checkpoints from before, the legacy dataDir record). */
  dataset: z.union([TrainingDataSchema, LegacyTrainingDataSchema]).optional(),
  backend: z.string().min(1),
  tfjsVersion: z.string(),
  createdAt: IsoDate,
  /** sha256 of every file except manifest.json, keyed by relative path. */
  files: z.record(z.string().refine(isSafeRelativePath, 'unsafe file path'), Sha256),
  extra: z.record(z.string(), z.unknown()).optional(),
});
export type CheckpointManifest = z.infer<typeof CheckpointManifestSchema>;

/** The weight files of a checkpoint: the only files that decide what the model computes. */
export const WEIGHT_FILES = ['encoder/weights.bin', 'decoder/weights.bin'] as const;

/** Which checkpoint an image or metric came from: its path and the sha256 of its weight files. */
export const CheckpointRefSchema = z.object({
  /** Relative to the workspace root (forward slashes) when inside it, else absolute. */
  path: z.string(),
  weights: z.record(z.string(), Sha256),
});
export type CheckpointRef = z.infer<typeof CheckpointRefSchema>;
