/** The golden images: their recipe and thresholds (golden.config.json) and what was written (goldens.json). */
import { z } from 'zod';
import { CheckpointRefSchema } from './checkpoint';
import { IsoDate, NonNegativeInt, PositiveInt, Sha256 } from './common';

/** Golden names: letters, digits, '-' and '_', starting with a letter or digit (also safe as a file name and URL segment). */
export const GOLDEN_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/i;
export const GoldenNameSchema = z.string().regex(GOLDEN_NAME_PATTERN, "expected letters, digits, '-' and '_' only");

export const IMAGE_SET_KINDS = ['prior', 'recon', 'manifold', 'scatter'] as const;
export type ImageSetKind = (typeof IMAGE_SET_KINDS)[number];

/**
 * What to draw. Every field that affects pixels is explicit, so (checkpoint, spec) → image is a pure
 * function. `seed` only matters for 'prior' but is always recorded.
 */
export const ImageSetSpecSchema = z.object({
  kind: z.enum(IMAGE_SET_KINDS),
  seed: z.number().int(),
  /** prior/manifold: n for an n×n grid; recon: number of test images (first n, unless `indices`); scatter: unused. */
  grid: z.number().int().min(1).max(64),
  /** recon: explicit test-set indices instead of 0…grid−1. */
  indices: z.array(NonNegativeInt).optional(),
  /** scatter, and manifold of a latent space larger than 2 (its principal plane): how many test images (the first `count`, default all). */
  count: PositiveInt.optional(),
});
export type ImageSetSpec = z.infer<typeof ImageSetSpecSchema>;

export const GoldenThresholdsSchema = z.object({
  /** pixelmatch `threshold` (0–1, YIQ distance). For gray pixels it flags |Δgray| > ≈ 264·threshold. */
  threshold: z.number().min(0).max(1),
  /** How many pixels may differ (beyond `threshold`) before the comparison fails. */
  maxDiffPixels: NonNegativeInt,
});
export type GoldenThresholds = z.infer<typeof GoldenThresholdsSchema>;

/** How an image was made; stored per golden in goldens.json and per report entry in result.json. */
export const GoldenProvenanceSchema = ImageSetSpecSchema.extend({
  checkpoint: CheckpointRefSchema,
  backend: z.string(),
});
export type GoldenProvenance = z.infer<typeof GoldenProvenanceSchema>;

/** One entry of goldens.json. */
export const GoldenRecordSchema = GoldenProvenanceSchema.extend({
  file: z.string(),
  width: PositiveInt,
  height: PositiveInt,
  /** sha256 of the PNG file. */
  sha256: Sha256,
  createdAt: IsoDate,
  /** 'update' (cvae golden update) or 'accept' (promoted from a report, e.g. by the viewer). */
  via: z.enum(['update', 'accept']),
});
export type GoldenRecord = z.infer<typeof GoldenRecordSchema>;

/** `goldens.json`: golden name → how its PNG was made and its sha256. */
export const GoldenIndexSchema = z.record(GoldenNameSchema, GoldenRecordSchema);
export type GoldenIndex = z.infer<typeof GoldenIndexSchema>;
