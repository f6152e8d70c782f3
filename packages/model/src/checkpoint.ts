import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { CHECKPOINT_FORMAT_VERSION, CheckpointManifest, CheckpointManifestSchema, FormatError, isSafeRelativePath, oneLine, parseJsonText, sha256Hex } from '@cvae/formats';
import { fsyncDirectory, isProcessAlive, pathExists, writeFileAtomic, writeJsonAtomic } from '@cvae/images';
import { ArchitectureError, expectedWeightShapes, validateArchitecture } from './architecture';
import { CVAE } from './cvae';
import { MODEL_JSON_FILE, WEIGHTS_FILE, fileSystemIOHandler, parseModelJson } from './fs-io-handler';

export { CHECKPOINT_FORMAT_VERSION };
export type { CheckpointManifest };
export const MANIFEST_FILE = 'manifest.json';
const MODEL_PARTS = ['encoder', 'decoder'] as const;
type ModelPart = (typeof MODEL_PARTS)[number];
/** The files that hold the two models: each part's model.json and weights.bin. */
const MODEL_FILES: readonly string[] = MODEL_PARTS.flatMap((part) => [`${part}/${MODEL_JSON_FILE}`, `${part}/${WEIGHTS_FILE}`]);

export interface CheckpointMetadata {
  epoch: number;
  step: number;
  seeds: Record<string, number>;
  dataset?: CheckpointManifest['dataset'];
  backend: string;
  extra?: Record<string, unknown>;
}

/** Extra files (e.g. optimizer state) are read on demand and re-verified against the manifest. */
export interface CheckpointExtraFiles {
  names: string[];
  read(name: string): Promise<Uint8Array>;
}

export interface LoadedCheckpoint {
  model: CVAE;
  manifest: CheckpointManifest;
  extraFiles: CheckpointExtraFiles;
}

/** One-line message: `checkpoint <dir>: <file> <what is wrong>`. */
export class CheckpointError extends Error {
  constructor(
    readonly checkpointDir: string,
    readonly file: string | undefined,
    problem: string,
  ) {
    super(`checkpoint ${checkpointDir}: ${file === undefined ? '' : `${file} `}${problem}`.replace(/\s+/g, ' '));
    this.name = 'CheckpointError';
  }
}

/**
 * Writes a complete checkpoint to a sibling temp directory, fsyncs it, then swaps it into `dir`
 * with renames. At every instant the disk holds a complete old or new checkpoint, and a
 * reader of `dir` never sees a half-written one. Concurrent saves to one `dir` are not supported.
 */
export async function saveCheckpoint(
  dir: string,
  model: CVAE,
  meta: CheckpointMetadata,
  extraFiles: Record<string, Uint8Array> = {},
): Promise<CheckpointManifest> {
  assertMetadata(dir, meta);
  Object.keys(extraFiles).forEach((name) => assertExtraFileName(dir, name));
  const target = path.resolve(dir);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const staging = `${target}.tmp-${process.pid}-${randomSuffix()}`;
  try {
    await fs.mkdir(staging);
    const manifest = await writeCheckpointFiles(staging, model, meta, extraFiles);
    await swapIntoPlace(staging, target);
    await removeLeftoversOfCrashedSaves(target);
    return manifest;
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Verifies hashes, weight sizes and architecture without building a model. */
export async function verifyCheckpoint(dir: string): Promise<CheckpointManifest> {
  return verifyFiles(dir, await readableCheckpointDir(dir));
}

export async function loadCheckpoint(dir: string, opts: { expectLatentDim?: number } = {}): Promise<LoadedCheckpoint> {
  const source = await readableCheckpointDir(dir);
  const manifest = await verifyFiles(dir, source);
  if (opts.expectLatentDim !== undefined && manifest.latentDim !== opts.expectLatentDim) {
    throw new CheckpointError(dir, MANIFEST_FILE, `has latentDim ${manifest.latentDim}, expected ${opts.expectLatentDim}`);
  }
  const encoder = await loadModelPart(dir, source, 'encoder', manifest);
  const decoder = await loadModelPart(dir, source, 'decoder', manifest);
  let model: CVAE;
  try {
    model = CVAE.fromModels(encoder, decoder, manifest.architecture);
  } catch (error) {
    encoder.dispose();
    decoder.dispose();
    throw new CheckpointError(dir, undefined, `models are not the architecture manifest.json records: ${oneLine(error)}`);
  }
  return { model, manifest, extraFiles: extraFileReader(dir, source, manifest) };
}

// ---------------------------------------------------------------------------------------------
// Saving

async function writeCheckpointFiles(
  staging: string,
  model: CVAE,
  meta: CheckpointMetadata,
  extraFiles: Record<string, Uint8Array>,
): Promise<CheckpointManifest> {
  for (const part of MODEL_PARTS) {
    await model[part].save(fileSystemIOHandler(path.join(staging, part)));
  }
  for (const [name, bytes] of Object.entries(extraFiles)) {
    await writeFileAtomic(path.join(staging, name), bytes);
  }
  const fileNames = [...MODEL_FILES, ...Object.keys(extraFiles)];
  const manifest = buildManifest(model, meta, await hashFiles(staging, fileNames));
  // The manifest is written last: a directory holding one is complete.
  await writeJsonAtomic(path.join(staging, MANIFEST_FILE), manifest);
  for (const subdir of new Set(fileNames.map((name) => path.dirname(path.join(staging, name))))) {
    await fsyncDirectory(subdir);
  }
  await fsyncDirectory(staging);
  return manifest;
}

function buildManifest(model: CVAE, meta: CheckpointMetadata, files: Record<string, string>): CheckpointManifest {
  return {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    latentDim: model.latentDim,
    architecture: model.architecture,
    epoch: meta.epoch,
    step: meta.step,
    seeds: meta.seeds,
    ...(meta.dataset === undefined ? {} : { dataset: meta.dataset }),
    backend: meta.backend,
    tfjsVersion: tf.version_core,
    createdAt: new Date().toISOString(),
    files,
    ...(meta.extra === undefined ? {} : { extra: meta.extra }),
  };
}

/** Hashes what is on disk (read back), so the manifest vouches for the bytes actually written. */
async function hashFiles(root: string, names: string[]): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const name of names) files[name] = sha256Hex(await fs.readFile(path.join(root, name)));
  return files;
}

async function swapIntoPlace(staging: string, target: string): Promise<void> {
  const retired = `${target}.old-${process.pid}-${randomSuffix()}`;
  const hadPrevious = await renameIfExists(target, retired);
  try {
    await fs.rename(staging, target);
  } catch (error) {
    if (hadPrevious) await fs.rename(retired, target);
    throw error;
  }
  await fsyncDirectory(path.dirname(target));
  if (hadPrevious) await fs.rm(retired, { recursive: true, force: true });
}

/**
 * A crash mid-save can leave `<dir>.old-*` (between the two renames) and `<dir>.tmp-<pid>-*`
 * (while staging). Once a new checkpoint is in place, old ones are obsolete; temp ones are
 * removed only if their writer process is gone.
 */
async function removeLeftoversOfCrashedSaves(target: string): Promise<void> {
  const base = path.basename(target);
  for (const entry of await fs.readdir(path.dirname(target))) {
    const isRetired = entry.startsWith(`${base}.old-`);
    const staleStagingPid = entry.startsWith(`${base}.tmp-`) ? Number(entry.slice(base.length + 5).split('-')[0]) : NaN;
    if (isRetired || (Number.isInteger(staleStagingPid) && !isProcessAlive(staleStagingPid))) {
      await fs.rm(path.join(path.dirname(target), entry), { recursive: true, force: true });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Verifying and loading

/**
 * `dir` itself, or — if a save crashed between its two renames so `dir` is missing — the
 * complete previous checkpoint that was parked at `<dir>.old-*`.
 */
async function readableCheckpointDir(dir: string): Promise<string> {
  const target = path.resolve(dir);
  if (await pathExists(target)) return target;
  const base = path.basename(target);
  const parent = path.dirname(target);
  const entries = (await pathExists(parent)) ? await fs.readdir(parent) : [];
  for (const entry of entries.filter((e) => e.startsWith(`${base}.old-`)).sort()) {
    if (await pathExists(path.join(parent, entry, MANIFEST_FILE))) return path.join(parent, entry);
  }
  return target;
}

async function verifyFiles(dir: string, source: string): Promise<CheckpointManifest> {
  const manifest = await readManifest(dir, source);
  for (const part of MODEL_PARTS) {
    const modelJson = parseModelJson(
      await readVerified(dir, source, manifest, `${part}/${MODEL_JSON_FILE}`),
      `checkpoint ${dir}: ${part}/${MODEL_JSON_FILE}`,
    );
    await verifyWeights(dir, source, manifest, part, modelJson);
  }
  const modelFiles = new Set(MODEL_FILES);
  for (const name of Object.keys(manifest.files).filter((n) => !modelFiles.has(n))) {
    await readVerified(dir, source, manifest, name);
  }
  return manifest;
}

async function verifyWeights(dir: string, source: string, manifest: CheckpointManifest, part: ModelPart, modelJson: tf.io.ModelJSON): Promise<void> {
  const modelJsonName = `${part}/${MODEL_JSON_FILE}`;
  const groups = modelJson.weightsManifest;
  if (groups.length !== 1 || groups[0].paths.length !== 1 || groups[0].paths[0] !== WEIGHTS_FILE) {
    throw new CheckpointError(dir, modelJsonName, `must list exactly one weights file "${WEIGHTS_FILE}"`);
  }
  const specs = groups[0].weights;
  assertWeightsFitArchitecture(dir, modelJsonName, part, specs, manifest);
  const weightsName = `${part}/${WEIGHTS_FILE}`;
  const bytes = await readFileOrFail(dir, source, weightsName);
  const expectedBytes = specs.reduce((total, spec) => total + weightByteLength(dir, modelJsonName, spec), 0);
  if (bytes.byteLength !== expectedBytes) {
    throw new CheckpointError(dir, weightsName, `is ${bytes.byteLength} bytes, expected ${expectedBytes} from the weight specs in ${modelJsonName} (truncated or corrupted)`);
  }
  assertHash(dir, manifest, weightsName, bytes);
}

/** Each weight's shape must be the one the manifest's architecture gives it (verified without building a model). */
function assertWeightsFitArchitecture(dir: string, file: string, part: ModelPart, specs: tf.io.WeightsManifestEntry[], manifest: CheckpointManifest): void {
  const expected = expectedWeightShapes(manifest.architecture, part);
  if (specs.length !== expected.length) {
    throw new CheckpointError(dir, file, `lists ${specs.length} weights, the architecture in ${MANIFEST_FILE} has ${expected.length}`);
  }
  specs.forEach((spec, i) => {
    if (spec.shape.length !== expected[i].shape.length || spec.shape.some((d, j) => d !== expected[i].shape[j])) {
      throw new CheckpointError(dir, file, `weight ${spec.name} has shape [${spec.shape}], the architecture in ${MANIFEST_FILE} gives ${expected[i].name} [${expected[i].shape}]`);
    }
  });
}

const BYTES_PER_ELEMENT: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function weightByteLength(dir: string, file: string, spec: tf.io.WeightsManifestEntry): number {
  const storedDtype = spec.quantization?.dtype ?? spec.dtype;
  const bytesPerElement = BYTES_PER_ELEMENT[storedDtype];
  if (bytesPerElement === undefined) throw new CheckpointError(dir, file, `weight ${spec.name} has unsupported dtype ${storedDtype}`);
  return spec.shape.reduce((n, dim) => n * dim, 1) * bytesPerElement;
}

async function readManifest(dir: string, source: string): Promise<CheckpointManifest> {
  let text: string;
  try {
    text = await fs.readFile(path.join(source, MANIFEST_FILE), 'utf8');
  } catch (error) {
    const problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing (not a checkpoint directory, or its save never completed)' : `cannot be read (${oneLine(error)})`;
    throw new CheckpointError(dir, MANIFEST_FILE, problem);
  }
  let manifest: CheckpointManifest;
  try {
    manifest = parseJsonText(CheckpointManifestSchema, text, MANIFEST_FILE);
  } catch (error) {
    if (error instanceof FormatError) throw new CheckpointError(dir, undefined, error.message);
    throw error;
  }
  return checkManifestAgainstCode(dir, manifest);
}

/** What the schema cannot know: the model files must be listed, and the architecture must be one that can be built. */
function checkManifestAgainstCode(dir: string, manifest: CheckpointManifest): CheckpointManifest {
  for (const part of MODEL_PARTS) {
    for (const file of [MODEL_JSON_FILE, WEIGHTS_FILE]) {
      if (!(`${part}/${file}` in manifest.files)) throw new CheckpointError(dir, MANIFEST_FILE, `does not list ${part}/${file}`);
    }
  }
  if (manifest.architecture.latentDim !== manifest.latentDim) {
    throw new CheckpointError(dir, MANIFEST_FILE, `latentDim ${manifest.latentDim} differs from its architecture's ${manifest.architecture.latentDim}`);
  }
  try {
    validateArchitecture(manifest.architecture, 'architecture');
  } catch (error) {
    if (error instanceof ArchitectureError) throw new CheckpointError(dir, MANIFEST_FILE, error.message);
    throw error;
  }
  return manifest;
}

async function readFileOrFail(dir: string, source: string, name: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(path.join(source, name)));
  } catch (error) {
    const problem = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${oneLine(error)})`;
    throw new CheckpointError(dir, name, problem);
  }
}

async function readVerified(dir: string, source: string, manifest: CheckpointManifest, name: string): Promise<Uint8Array> {
  const bytes = await readFileOrFail(dir, source, name);
  assertHash(dir, manifest, name, bytes);
  return bytes;
}

function assertHash(dir: string, manifest: CheckpointManifest, name: string, bytes: Uint8Array): void {
  if (sha256Hex(bytes) !== manifest.files[name]) {
    throw new CheckpointError(dir, name, 'sha256 mismatch (file changed or corrupted)');
  }
}

/** Loads through the fs IOHandler, hash-checking the exact bytes tfjs parses. */
async function loadModelPart(dir: string, source: string, part: ModelPart, manifest: CheckpointManifest): Promise<tfl.LayersModel> {
  const handler = fileSystemIOHandler(path.join(source, part), {
    onFileRead: (fileName, bytes) => assertHash(dir, manifest, `${part}/${fileName}`, bytes),
  });
  try {
    return await tfl.loadLayersModel(handler);
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(dir, `${part}/${MODEL_JSON_FILE}`, `cannot be loaded as a Layers model (${oneLine(error)})`);
  }
}

function extraFileReader(dir: string, source: string, manifest: CheckpointManifest): CheckpointExtraFiles {
  const modelFiles = new Set(MODEL_FILES);
  const names = Object.keys(manifest.files).filter((name) => !modelFiles.has(name));
  return {
    names,
    read: async (name) => {
      if (!names.includes(name)) throw new CheckpointError(dir, name, `is not an extra file of this checkpoint (has: ${names.join(', ') || 'none'})`);
      return readVerified(dir, source, manifest, name);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function assertMetadata(dir: string, meta: CheckpointMetadata): void {
  if (!Number.isInteger(meta.epoch) || meta.epoch < 0 || !Number.isInteger(meta.step) || meta.step < 0) {
    throw new CheckpointError(dir, undefined, `epoch and step must be non-negative integers, got epoch ${meta.epoch}, step ${meta.step}`);
  }
  if (typeof meta.backend !== 'string' || meta.backend === '') {
    throw new CheckpointError(dir, undefined, 'metadata.backend must name the tfjs backend');
  }
}

function assertExtraFileName(dir: string, name: string): void {
  const reserved = name === MANIFEST_FILE || MODEL_PARTS.some((part) => name.startsWith(`${part}/`));
  if (!isSafeRelativePath(name) || reserved) {
    throw new CheckpointError(dir, name, 'is not allowed as an extra file name (use a relative path outside encoder/ and decoder/, e.g. "optimizer/state.bin")');
  }
}

async function renameIfExists(from: string, to: string): Promise<boolean> {
  try {
    await fs.rename(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}


function randomSuffix(): string {
  return randomBytes(6).toString('hex');
}
