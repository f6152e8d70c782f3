/**
 * Perturbed checkpoints, to prove the harness bites: multiplicative Gaussian noise on the weights of
 * the decoder, the encoder or both, w ← w·(1 + scale·n) with n from a seeded stream, written as a valid
 * checkpoint (its manifest re-hashed, so only the goldens and gates can tell). The ladder in the
 * README (0.1%, 0.3%, 1%, 3%) says which check catches which rung, with what verdict.
 */
import * as path from 'path';
import { SeededRandom, deriveSeed } from '@cvae/dataset';
import { pathExists } from '@cvae/images';
import { CVAE, CheckpointManifest, loadCheckpoint, saveCheckpoint } from '@cvae/model';

export type WeightPart = 'decoder' | 'encoder' | 'all';
export const WEIGHT_PARTS: readonly WeightPart[] = ['decoder', 'encoder', 'all'];

export interface Perturbation {
  /** Relative standard deviation of the noise: 0.003 is 0.3%. */
  scale: number;
  seed: number;
  part: WeightPart;
}

/** Applies the perturbation to `model` in place. */
export function perturbWeights(model: CVAE, { scale, seed, part }: Perturbation): void {
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new RangeError(`scale must be a non-negative number, got ${scale}`);
  const random = new SeededRandom(deriveSeed(seed, 'perturb-weights'));
  const weights = model.getWeightsSnapshot().map((w) => {
    if (!(part === 'all' || w.name.startsWith(part))) return w;
    const noise = random.normals(w.values.length);
    return { ...w, values: w.values.map((v, i) => v * (1 + scale * noise[i])) };
  });
  model.setWeights(weights);
}

/** Loads `checkpoint`, perturbs it and saves it to `out` (which must not exist). */
export async function perturbCheckpoint(checkpoint: string, out: string, perturbation: Perturbation): Promise<CheckpointManifest> {
  if (await pathExists(out)) throw new Error(`${out} already exists: choose another --out`);
  const { model, manifest } = await loadCheckpoint(checkpoint);
  try {
    perturbWeights(model, perturbation);
    const extra = { ...manifest.extra, perturbedFrom: path.resolve(checkpoint), perturbation };
    return await saveCheckpoint(out, model, { epoch: manifest.epoch, step: manifest.step, seeds: manifest.seeds, dataset: manifest.dataset, backend: manifest.backend, extra });
  } finally {
    model.dispose();
  }
}
