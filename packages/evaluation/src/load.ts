import * as tf from '@tensorflow/tfjs-core';
import { ImageFolderOptions, ImageSet, datasetShortHash, resolveRecordedDataset } from '@cvae/dataset';
import type { DatasetIdentity, DatasetLabel } from '@cvae/formats';
import { Architecture, CVAE, imageOptionsFor, loadCheckpoint, loadImagesFor } from '@cvae/model';
import { convKernelsDescription, initBackend } from '@cvae/tfjs-kernels';
import { referenceCheckpointDir } from './paths';
import { CheckpointRef, checkpointRef } from './provenance';

/** What an evaluation ran on, recorded in reports, goldens.json and --json outputs. */
export interface EvaluationSource {
  checkpoint: CheckpointRef;
  /** tfjs backend name actually in use ('wasm', 'cpu', 'tensorflow'). */
  backend: string;
  /** What ran the convolutions, e.g. 'conv.wasm simd128-fma'. */
  kernels: string;
  dataset: DatasetLabel;
  /** Where the dataset's files are (undefined: the embedded MNIST). */
  dataDir: string | undefined;
  /** How an image folder is read (its recorded split and background); undefined for IDX data. */
  imageOptions?: ImageFolderOptions;
  /** What the checkpoint's model is (its manifest's record). */
  architecture: Architecture;
}

export interface LoadedForEvaluation extends EvaluationSource {
  model: CVAE;
  /** Absolute checkpoint directory. */
  dir: string;
}

export interface LoadOptions {
  /** Checkpoint directory; default the reference checkpoint `runs/reference/checkpoints/last`. */
  checkpoint?: string;
  /** 'auto' | 'wasm' | 'cpu' | 'tfjs-node' (default auto; the CLI reads $CVAE_BACKEND). */
  backend?: string;
  /** Evaluate on this IDX directory instead of the recorded dataset. */
  dataDir?: string;
  /** The recorded dataset to use (default: the checkpoint's own, from its manifest), and what recorded it (for messages). */
  dataset?: DatasetIdentity;
  datasetOf?: string;
}

/**
 * Initialises the backend, loads and hash-verifies the checkpoint (CheckpointError), and finds the
 * dataset it was trained on — still there with the same sha256s — unless `dataDir` overrides it
 * (DatasetMismatchError otherwise: one line that mentions --data-dir).
 */
export async function loadForEvaluation(options: LoadOptions = {}): Promise<LoadedForEvaluation> {
  await initBackend(options.backend);
  const dir = options.checkpoint ?? referenceCheckpointDir();
  const { model, manifest } = await loadCheckpoint(dir);
  try {
    const recorded = options.dataset ?? manifest.dataset;
    const data = resolveRecordedDataset(recorded, options.datasetOf ?? `checkpoint ${dir}`, options.dataDir, imageOptionsFor(manifest.architecture));
    const backend = tf.getBackend();
    return {
      model,
      dir,
      checkpoint: checkpointRef(dir, manifest),
      backend,
      kernels: convKernelsDescription(backend),
      dataset: { ...data.identity, shortHash: datasetShortHash(data.identity) },
      dataDir: data.dataDir,
      imageOptions: data.imageOptions,
      architecture: manifest.architecture,
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** Loads the checkpoint, runs `work` with the model, and disposes the model whatever happens. */
export async function withLoadedModel<T>(options: LoadOptions, work: (model: CVAE, source: EvaluationSource) => Promise<T>): Promise<T> {
  const { model, dir: _dir, ...source } = await loadForEvaluation(options);
  try {
    return await work(model, source);
  } finally {
    model.dispose();
  }
}

/** The test split of the dataset an evaluation runs on (the first `limit` images), as `model` sees it. */
export function testSetOf(source: Pick<EvaluationSource, 'dataDir' | 'imageOptions'>, model: CVAE, limit?: number): ImageSet {
  return loadImagesFor(model.architecture, 'test', { dataDir: source.dataDir, limit, imageOptions: source.imageOptions });
}

/** The dataset's identity as suites and baselines record it (a report's label without its short hash). */
export function recordedDataset(source: Pick<EvaluationSource, 'dataset'>): DatasetIdentity {
  const { shortHash: _shortHash, ...identity } = source.dataset;
  return identity;
}
