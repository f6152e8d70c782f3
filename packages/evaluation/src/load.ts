import * as tf from '@tensorflow/tfjs-core';
import { CVAE, loadCheckpoint } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { referenceCheckpointDir } from './paths';
import { CheckpointRef, checkpointRef } from './provenance';

export interface LoadedForEvaluation {
  model: CVAE;
  checkpoint: CheckpointRef;
  /** Absolute checkpoint directory. */
  dir: string;
  /** tfjs backend name actually in use ('wasm', 'cpu', 'tensorflow'). */
  backend: string;
}

export interface LoadOptions {
  /** Checkpoint directory; default the reference checkpoint `runs/reference/checkpoints/last`. */
  checkpoint?: string;
  /** 'auto' | 'wasm' | 'cpu' | 'tfjs-node' (default auto; the CLI reads $CVAE_BACKEND). */
  backend?: string;
}

/** Initialises the backend, then loads and hash-verifies the checkpoint (throws CheckpointError). */
export async function loadForEvaluation(options: LoadOptions = {}): Promise<LoadedForEvaluation> {
  await initBackend(options.backend);
  const dir = options.checkpoint ?? referenceCheckpointDir();
  const { model, manifest } = await loadCheckpoint(dir);
  return { model, checkpoint: checkpointRef(dir, manifest), dir, backend: tf.getBackend() };
}

/** The checkpoint and backend an evaluation ran on (recorded in reports and goldens.json). */
export interface EvaluationSource {
  checkpoint: CheckpointRef;
  backend: string;
}

/** Loads the checkpoint, runs `work` with the model, and disposes the model whatever happens. */
export async function withLoadedModel<T>(options: LoadOptions, work: (model: CVAE, source: EvaluationSource) => Promise<T>): Promise<T> {
  const loaded = await loadForEvaluation(options);
  try {
    return await work(loaded.model, { checkpoint: loaded.checkpoint, backend: loaded.backend });
  } finally {
    loaded.model.dispose();
  }
}
