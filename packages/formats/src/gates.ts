/** `gates.json`: metric gates derived from one measurement of a checkpoint. */
import { z } from 'zod';
import { CheckpointRefSchema } from './checkpoint';
import { EstimateSchema, IsoDate, PositiveInt } from './common';

export const GatesSchema = z.object({
  note: z.string(),
  measurement: z.object({
    checkpoint: CheckpointRefSchema,
    backend: z.string(),
    images: PositiveInt,
    seed: z.number().int(),
    elbo: EstimateSchema,
    kl: EstimateSchema,
    reconstructionMse: EstimateSchema,
    measuredAt: IsoDate,
  }),
  /** Margins are k standard errors of the measurement. */
  k: z.number().positive(),
  elbo: z.object({ min: z.number() }),
  reconstructionMse: z.object({ max: z.number() }),
  kl: z.object({ low: z.number(), high: z.number() }),
});
export type Gates = z.infer<typeof GatesSchema>;
