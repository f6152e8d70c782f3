import { FormatError, Gates, GatesSchema, readJsonFile } from '@cvae/formats';
import { writeJsonAtomic } from '@cvae/images';
import type { Metrics } from './metrics';
import type { EvaluationSource } from './load';
import { defaultGatesFile } from './paths';

/** Margins are k standard errors of the measurement (k = 3 unless told otherwise). */
export const DEFAULT_GATE_K = 3;

export type { Gates };

export interface GateViolation {
  gate: 'elbo' | 'reconstructionMse' | 'kl';
  message: string;
}

/**
 * Gates from one measurement: ELBO ≥ mean − k·SE, MSE ≤ mean + k·SE, KL within mean ± k·SE.
 * KL has a floor as well as a ceiling because a KL that falls towards 0 means the posterior
 * collapsed onto the prior (the decoder ignores z) even if the ELBO still looks fine.
 */
export function deriveGates(metrics: Metrics, source: EvaluationSource, k: number = DEFAULT_GATE_K): Gates {
  if (!(k > 0)) throw new RangeError(`k must be positive, got ${k}`);
  const { elbo, kl, reconstructionMse } = metrics;
  return {
    note:
      `Derived by deriveGates() from the measurement below: elbo.min = elbo − k·SE, reconstructionMse.max = mse + k·SE, ` +
      `kl = kl ± k·SE, with k = ${k} and SE the standard error over the ${metrics.images} images. ` +
      `The gates suite re-evaluates the same images with the same eps seed, so on an unchanged model only backend ` +
      `rounding moves the numbers (far less than one SE). Regenerate: npx cvae eval --limit ${metrics.images} --write-gates packages/evaluation/gates.json`,
    measurement: { ...source, images: metrics.images, seed: metrics.seed, elbo, kl, reconstructionMse, measuredAt: new Date().toISOString() },
    k,
    elbo: { min: elbo.mean - k * elbo.standardError },
    reconstructionMse: { max: reconstructionMse.mean + k * reconstructionMse.standardError },
    kl: { low: kl.mean - k * kl.standardError, high: kl.mean + k * kl.standardError },
  };
}

/** Every gate the metrics break (empty = all pass). */
export function checkGates(metrics: Pick<Metrics, 'elbo' | 'kl' | 'reconstructionMse'>, gates: Gates): GateViolation[] {
  const violations: GateViolation[] = [];
  const fmt = (v: number) => v.toFixed(4);
  if (!(metrics.elbo.mean >= gates.elbo.min)) {
    violations.push({ gate: 'elbo', message: `ELBO ${fmt(metrics.elbo.mean)} < min ${fmt(gates.elbo.min)}` });
  }
  if (!(metrics.reconstructionMse.mean <= gates.reconstructionMse.max)) {
    violations.push({ gate: 'reconstructionMse', message: `reconstruction MSE ${fmt(metrics.reconstructionMse.mean)} > max ${fmt(gates.reconstructionMse.max)}` });
  }
  if (!(metrics.kl.mean >= gates.kl.low && metrics.kl.mean <= gates.kl.high)) {
    violations.push({ gate: 'kl', message: `KL ${fmt(metrics.kl.mean)} outside [${fmt(gates.kl.low)}, ${fmt(gates.kl.high)}]` });
  }
  return violations;
}

export async function readGates(file: string = defaultGatesFile()): Promise<Gates> {
  try {
    return await readJsonFile(GatesSchema, file);
  } catch (error) {
    if (error instanceof FormatError && error.message === `${file}: is missing`) {
      throw new FormatError(file, undefined, `is missing: derive it from the reference checkpoint with: npx cvae eval --limit 2000 --write-gates ${file}`);
    }
    throw error;
  }
}

export async function writeGates(file: string, gates: Gates): Promise<void> {
  await writeJsonAtomic(file, gates);
}
