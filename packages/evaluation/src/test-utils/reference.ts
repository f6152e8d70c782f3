import { existsSync, mkdtempSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@cvae/dataset';
import type { CVAE } from '@cvae/model';
import { referenceCheckpointDir } from '../paths';

/**
 * The reference checkpoint directory; fails (never skips) with instructions when it is absent,
 * because a quality suite that silently passes without a model proves nothing.
 */
export function referenceCheckpoint(): string {
  const dir = referenceCheckpointDir();
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`reference checkpoint missing: ${dir} has no manifest.json (train the reference run, or set CVAE_REFERENCE_CHECKPOINT to try another checkpoint)`);
  }
  return dir;
}

export function tempDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `cvae-eval-${label}-`));
}

/** Adds seeded Gaussian noise of `scale`·RMS(kernel) to one decoder layer's kernel, in place. */
export function perturbDecoderKernel(model: CVAE, layerName: string, seed: number, scale: number): void {
  const layer = model.decoder.getLayer(layerName);
  const [kernel, ...rest] = layer.getWeights();
  const values = Float32Array.from(kernel.dataSync());
  const rms = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
  const noise = new SeededRandom(seed).normals(values.length);
  const noisy = Float32Array.from(values, (v, i) => v + scale * rms * noise[i]);
  layer.setWeights([tf.tensor(noisy, kernel.shape), ...rest]);
}

/** Adds `shift` to every element of one decoder layer's bias, in place. */
export function shiftDecoderBias(model: CVAE, layerName: string, shift: number): void {
  const layer = model.decoder.getLayer(layerName);
  const [kernel, bias] = layer.getWeights();
  layer.setWeights([kernel, tf.tidy(() => tf.add(bias, shift))]);
}
