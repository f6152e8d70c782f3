/**
 * A classifier on disk: `<dir>/model.json` + `<dir>/weights.bin` (the standard TF.js Layers layout,
 * written and read by @cvae/model's file-system IOHandler, so a browser loads the same files) and
 * `<dir>/manifest.json` (ClassifierManifestSchema: architecture, dataset identity, training, test
 * accuracy, the command, the sha256 of both files). Saving stages everything in a sibling directory
 * and renames it into place; loading hash-checks the exact bytes tfjs parses.
 */
import { createHash, randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import * as tfl from '@tensorflow/tfjs-layers';
import { ImageSet, datasetIdentity } from '@cvae/dataset';
import { CLASSIFIER_FORMAT_VERSION, ClassifierManifest, ClassifierManifestSchema, ClassifierRef, DatasetFiles, FormatError, readJsonFile, workspaceLayout, workspaceRelative } from '@cvae/formats';
import { fsyncDirectory, pathExists, writeJsonAtomic } from '@cvae/images';
import { fileSystemIOHandler } from '@cvae/model';
import { Classifier, classifierArchitecture } from './network';
import type { TrainedClassifier } from './train';

export const CLASSIFIER_MANIFEST_FILE = 'manifest.json';

/** One line: `classifier <dir>: <file> <what is wrong>`. */
export class ClassifierError extends Error {
  override name = 'ClassifierError';
  constructor(readonly dir: string, file: string | undefined, problem: string) {
    super(`classifier ${dir}: ${file === undefined ? '' : `${file} `}${problem}`.replace(/\s+/g, ' '));
  }
}

export interface LoadedClassifier {
  classifier: Classifier;
  manifest: ClassifierManifest;
  /** Directory, weights hash and dataset identity, as recorded with every measurement. */
  ref: ClassifierRef;
}

/** The committed classifier for `name` (default MNIST): `<workspace>/classifiers/<name>`. */
export function defaultClassifierDir(name = 'mnist', root = workspaceLayout().root): string {
  return path.join(root, 'classifiers', name);
}

/** The directory of the classifier's dataset (undefined: the embedded MNIST); the manifest keeps it workspace-relative. */
export function classifierDataDir(manifest: ClassifierManifest): string | undefined {
  return manifest.dataset.source === 'embedded' ? undefined : path.resolve(workspaceLayout().root, manifest.dataset.source);
}

/** Throws unless the IDX files of `dataDir` are the ones the classifier was trained and measured on. */
export function assertSameDataset(loaded: LoadedClassifier, dataDir: string | undefined): void {
  const actual = datasetIdentity(dataDir).files;
  const expected = loaded.manifest.dataset.files;
  const differing = (Object.keys(expected) as (keyof DatasetFiles)[]).filter((role) => actual[role] !== expected[role]);
  if (differing.length > 0) {
    throw new ClassifierError(loaded.ref.path, CLASSIFIER_MANIFEST_FILE, `was made on another dataset: ${differing.join(', ')} of ${dataDir ?? 'the embedded MNIST'} differ (sha256)`);
  }
}

/** Where the training data came from and the command that trained it, for the manifest. */
export interface TrainingProvenance {
  /** The --data-dir given, or undefined for the embedded MNIST. */
  dataDir?: string;
  train: ImageSet;
  test: ImageSet;
  command: string;
}

/** The manifest (without file hashes, which saveClassifier adds) of a freshly trained classifier. */
export function manifestFor(trained: TrainedClassifier, provenance: TrainingProvenance): Omit<ClassifierManifest, 'files'> {
  const { train, test, dataDir } = provenance;
  return {
    formatVersion: CLASSIFIER_FORMAT_VERSION,
    architecture: trained.classifier.architecture,
    binarization: train.binarization,
    dataset: { source: dataDir === undefined ? 'embedded' : workspaceRelative(path.resolve(dataDir)), files: datasetIdentity(dataDir).files, trainImages: train.count, testImages: test.count },
    training: { ...trained.config, backend: trained.backend, tfjsVersion: trained.tfjsVersion, elapsedMs: trained.elapsedMs, history: trained.history },
    testAccuracy: trained.testAccuracy,
    command: provenance.command,
    createdAt: new Date().toISOString(),
  };
}

/** Writes the classifier and its manifest (`files` is filled in here) into `dir`, replacing what was there. */
export async function saveClassifier(dir: string, classifier: Classifier, manifest: Omit<ClassifierManifest, 'files'>): Promise<ClassifierManifest> {
  const target = path.resolve(dir);
  await fs.mkdir(path.dirname(target), { recursive: true });
  const staging = `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    await classifier.network.save(fileSystemIOHandler(staging));
    const complete: ClassifierManifest = { ...manifest, files: { 'model.json': await sha256File(staging, 'model.json'), 'weights.bin': await sha256File(staging, 'weights.bin') } };
    await writeJsonAtomic(path.join(staging, CLASSIFIER_MANIFEST_FILE), complete);
    await fsyncDirectory(staging);
    await swapIntoPlace(staging, target);
    return complete;
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Reads the manifest, checks the architecture is this code's, loads the network hash-verified. */
export async function loadClassifier(dir: string): Promise<LoadedClassifier> {
  const manifest = await readManifest(dir);
  const network = await loadNetwork(dir, manifest);
  let classifier: Classifier;
  try {
    classifier = Classifier.fromNetwork(network, classifierArchitecture());
  } catch (error) {
    network.dispose();
    throw new ClassifierError(dir, 'model.json', (error as Error).message);
  }
  return { classifier, manifest, ref: { path: workspaceRelative(dir), weights: manifest.files['weights.bin'], dataset: manifest.dataset.files } };
}

async function readManifest(dir: string): Promise<ClassifierManifest> {
  const file = path.join(dir, CLASSIFIER_MANIFEST_FILE);
  if (!(await pathExists(file))) throw new ClassifierError(dir, CLASSIFIER_MANIFEST_FILE, 'is missing (not a classifier directory; train one with `cvae classifier train`)');
  let manifest: ClassifierManifest;
  try {
    manifest = await readJsonFile(ClassifierManifestSchema, file);
  } catch (error) {
    if (error instanceof FormatError) throw new ClassifierError(dir, undefined, error.message);
    throw error;
  }
  if (canonicalJson(manifest.architecture) !== canonicalJson(classifierArchitecture())) {
    throw new ClassifierError(dir, CLASSIFIER_MANIFEST_FILE, "architecture is not this code's classifier");
  }
  return manifest;
}

async function loadNetwork(dir: string, manifest: ClassifierManifest): Promise<tfl.LayersModel> {
  const handler = fileSystemIOHandler(dir, {
    onFileRead: (fileName, bytes) => {
      const expected = (manifest.files as Record<string, string>)[fileName];
      if (expected === undefined) throw new ClassifierError(dir, fileName, `is not listed in ${CLASSIFIER_MANIFEST_FILE}`);
      if (sha256(bytes) !== expected) throw new ClassifierError(dir, fileName, 'sha256 mismatch (file changed or corrupted)');
    },
  });
  try {
    return await tfl.loadLayersModel(handler);
  } catch (error) {
    if (error instanceof ClassifierError) throw error;
    throw new ClassifierError(dir, 'model.json', `cannot be loaded as a Layers model (${String((error as Error).message ?? error).replace(/\s+/g, ' ')})`);
  }
}

async function swapIntoPlace(staging: string, target: string): Promise<void> {
  const retired = `${target}.old-${process.pid}-${randomBytes(6).toString('hex')}`;
  const hadPrevious = await pathExists(target);
  if (hadPrevious) await fs.rename(target, retired);
  try {
    await fs.rename(staging, target);
  } catch (error) {
    if (hadPrevious) await fs.rename(retired, target);
    throw error;
  }
  await fsyncDirectory(path.dirname(target));
  if (hadPrevious) await fs.rm(retired, { recursive: true, force: true });
}

async function sha256File(dir: string, name: string): Promise<string> {
  return sha256(await fs.readFile(path.join(dir, name)));
}

/** JSON with object keys sorted, so two equal structures compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
