import { promises as fs } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomic } from '@cvae/images';
import { oneLine } from '@cvae/formats';

export const MODEL_JSON_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

export interface FileSystemIOHandlerOptions {
  /**
   * Called with every file's bytes right after reading and before they are parsed, so a caller
   * can check exactly the bytes that become the model (e.g. against a sha256 manifest).
   * Throwing aborts the load.
   */
  onFileRead?: (fileName: string, bytes: Uint8Array) => void;
}

/**
 * A tf.io.IOHandler storing a Layers model as `<modelDir>/model.json` + `<modelDir>/weights.bin`,
 * the standard TF.js layout (relative weight paths), so the same files load in a browser with
 * tf.loadLayersModel(url). Needs only Node's fs, not tfjs-node. Files are written atomically
 * and fsynced on save.
 */
export function fileSystemIOHandler(modelDir: string, options: FileSystemIOHandlerOptions = {}): tf.io.IOHandler {
  return {
    save: (artifacts) => saveArtifacts(modelDir, artifacts),
    load: () => loadArtifacts(modelDir, options),
  };
}

/** The model.json document for `artifacts`, with all weights in one `weights.bin` shard. */
export function modelJsonForArtifacts(artifacts: tf.io.ModelArtifacts): tf.io.ModelJSON {
  if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('fileSystemIOHandler: only JSON model topologies (Layers models) are supported');
  }
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  return modelJson;
}

async function saveArtifacts(modelDir: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  const modelJson = modelJsonForArtifacts(artifacts);
  const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  await writeFileAtomic(path.join(modelDir, WEIGHTS_FILE), new Uint8Array(weights));
  await writeFileAtomic(path.join(modelDir, MODEL_JSON_FILE), JSON.stringify(modelJson));
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
}

async function loadArtifacts(modelDir: string, { onFileRead }: FileSystemIOHandlerOptions): Promise<tf.io.ModelArtifacts> {
  const readChecked = async (fileName: string): Promise<Uint8Array> => {
    const bytes = await readModelFile(modelDir, fileName);
    onFileRead?.(fileName, bytes);
    return bytes;
  };
  const modelJson = parseModelJson(await readChecked(MODEL_JSON_FILE), path.join(modelDir, MODEL_JSON_FILE));
  return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const shards: ArrayBuffer[] = [];
    for (const fileName of manifest.flatMap((group) => group.paths)) {
      assertPlainFileName(fileName, path.join(modelDir, MODEL_JSON_FILE));
      shards.push(toArrayBuffer(await readChecked(fileName)));
    }
    return [tf.io.getWeightSpecs(manifest), tf.io.concatenateArrayBuffers(shards)];
  });
}

/** Parses and shape-checks a model.json; `where` names the file in error messages. */
export function parseModelJson(bytes: Uint8Array, where: string): tf.io.ModelJSON {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new Error(`${where}: not valid JSON (${oneLine(error)})`);
  }
  const candidate = parsed as Partial<tf.io.ModelJSON> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.modelTopology !== 'object') {
    throw new Error(`${where}: missing modelTopology`);
  }
  if (!Array.isArray(candidate.weightsManifest) || !candidate.weightsManifest.every((g) => Array.isArray(g?.paths) && Array.isArray(g?.weights))) {
    throw new Error(`${where}: weightsManifest must be a list of { paths, weights } groups`);
  }
  return candidate as tf.io.ModelJSON;
}

async function readModelFile(modelDir: string, fileName: string): Promise<Uint8Array> {
  const filePath = path.join(modelDir, fileName);
  try {
    return new Uint8Array(await fs.readFile(filePath));
  } catch (error) {
    throw new Error(`${filePath}: cannot read (${oneLine(error)})`);
  }
}

/** Weight paths come from a file we may not trust: keep them inside the model directory. */
function assertPlainFileName(fileName: string, where: string): void {
  if (fileName !== path.basename(fileName) || fileName === '..' || fileName === '.' || fileName === '') {
    throw new Error(`${where}: weight path "${fileName}" must be a plain file name next to model.json`);
  }
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  // Node Buffers may be views into a shared pool: copy out exactly this file's bytes.
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
