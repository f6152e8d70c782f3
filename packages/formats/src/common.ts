import { z } from 'zod';

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in lowercase hex');
export const IsoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO date');
export const PositiveInt = z.number().int().positive();
export const NonNegativeInt = z.number().int().nonnegative();
/** An error's message on one line (whitespace, newlines included, folded), for one-line messages that quote it. */
export function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

/** A user-facing seed: every command takes the same range. */
export const MAX_SEED = 2 ** 32 - 1;
export const Seed = z.number().int().min(0).max(MAX_SEED);

/** Mean over images and its standard error (sample standard deviation / √n). */
export const EstimateSchema = z.object({ mean: z.number(), standardError: z.number() });
export type Estimate = z.infer<typeof EstimateSchema>;

/** Mean and its standard error (sample standard deviation / √n), accumulated in float64. */
export function estimate(values: ArrayLike<number>): Estimate {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  return { mean, standardError: n > 1 ? Math.sqrt(squares / (n - 1) / n) : 0 };
}

/** The tfjs backend preferences (the same list as @cvae/tfjs-kernels' BACKEND_PREFERENCES; a test holds them equal). */
export const BACKEND_PREFERENCES = ['auto', 'tfjs-node', 'wasm', 'cpu'] as const;
export const BackendPreferenceSchema = z.enum(BACKEND_PREFERENCES);

/** The KL term of the loss: the tutorial's single-sample Monte Carlo estimate, or the closed form. */
export const KL_ESTIMATORS = ['monte-carlo', 'analytic'] as const;
export const KlEstimatorSchema = z.enum(KL_ESTIMATORS);
export type KlEstimator = z.infer<typeof KlEstimatorSchema>;
