/**
 * A classifier on disk: `<dir>/model.json` + `<dir>/weights.bin` (the standard TF.js Layers layout,
 * written and read by @cvae/model's file-system IOHandler, so a browser loads the same files) and
 * `<dir>/manifest.json` (ClassifierManifestSchema: architecture, preprocessing, dataset identity — IDX
 * files or an image folder —, training, test accuracy, the command, the sha256 of both files). Saving stages everything in a sibling directory
 * and renames it into place; loading hash-checks the exact bytes tfjs parses.
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import * as path from 'path';
import * as tfl from '@tensorflow/tfjs-layers';
import { ImageFolderOptions, ImageSet, LoadOptions, Split, datasetIdentity, loadSplit, optionsOf } from '@cvae/dataset';
import { CLASSIFIER_FORMAT_VERSION, ClassifierManifest, ClassifierManifestSchema, ClassifierRef, DatasetFiles, FormatError, readJsonFile, sha256Hex, workspaceLayout, workspaceRelative } from '@cvae/formats';
import { fsyncDirectory, pathExists, writeJsonAtomic } from '@cvae/images';
import { fileSystemIOHandler } from '@cvae/model';
import { Classifier, ClassifierArchitecture, classifierArchitecture } from './network';
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

/**
 * The classifier that judges a model of `inputShape` trained on `dataDir` (undefined: the embedded MNIST):
 * classifiers/<data-dir name> (where `cvae classifier train --data-dir` puts one), then classifiers/mnist —
 * the first made on this data and for images of this shape; undefined when there is none.
 */
export async function findClassifierOf(dataDir: string | undefined, inputShape: readonly number[], root = workspaceLayout().root): Promise<LoadedClassifier | undefined> {
  const own = dataDir === undefined ? [] : [defaultClassifierDir(path.basename(path.resolve(dataDir)), root)];
  for (const dir of [...new Set([...own, defaultClassifierDir('mnist', root)])]) {
    if (!(await pathExists(path.join(dir, CLASSIFIER_MANIFEST_FILE)))) continue;
    const loaded = await loadClassifier(dir);
    if (judges(loaded, dataDir, inputShape)) return loaded;
    loaded.classifier.dispose();
  }
  return undefined;
}

function judges(loaded: LoadedClassifier, dataDir: string | undefined, inputShape: readonly number[]): boolean {
  if (loaded.classifier.architecture.inputShape.some((d, i) => d !== inputShape[i])) return false;
  try {
    assertSameDataset(loaded, dataDir);
    return true;
  } catch (error) {
    if (error instanceof ClassifierError) return false;
    throw error;
  }
}

/** The directory of the classifier's dataset (undefined: the embedded MNIST); the manifest keeps it workspace-relative. */
export function classifierDataDir(manifest: ClassifierManifest): string | undefined {
  return manifest.dataset.source === 'embedded' ? undefined : path.resolve(workspaceLayout().root, manifest.dataset.source);
}

/**
 * Throws unless `dataDir` (undefined: the embedded MNIST) holds the data the classifier was trained and
 * measured on: the same four IDX files, or the same image folder (files, layout, classes, split) read
 * with the classifier's recorded preprocessing.
 */
export function assertSameDataset(loaded: LoadedClassifier, dataDir: string | undefined): void {
  const recorded = loaded.manifest.dataset;
  const found = datasetIdentity(dataDir, recorded.imageFolder === undefined ? {} : optionsOf(recorded.imageFolder));
  const differing = datasetDifferences(recorded, found);
  if (differing.length > 0) {
    throw new ClassifierError(loaded.ref.path, CLASSIFIER_MANIFEST_FILE, `was made on another dataset: ${differing.join(', ')} of ${dataDir ?? 'the embedded MNIST'} differ${recorded.imageFolder === undefined ? ' (sha256)' : ''}`);
  }
}

type RecordedDataset = Pick<ClassifierManifest['dataset'], 'files' | 'imageFolder'>;

/** What differs between the recorded dataset and the one found: IDX roles, or the parts of an image folder's identity. */
function datasetDifferences(recorded: RecordedDataset, found: RecordedDataset): string[] {
  if ((recorded.imageFolder === undefined) !== (found.imageFolder === undefined)) return ['the kind of dataset (IDX files, image folder)'];
  if (recorded.imageFolder === undefined || found.imageFolder === undefined) {
    const [expected, actual] = [recorded.files as DatasetFiles, found.files as DatasetFiles];
    return (Object.keys(expected) as (keyof DatasetFiles)[]).filter((role) => actual[role] !== expected[role]);
  }
  const [a, b] = [recorded.imageFolder, found.imageFolder];
  const parts: [string, unknown, unknown][] = [
    ['the files', (recorded.files as { manifest: string }).manifest, (found.files as { manifest: string }).manifest],
    ['the layout', a.layout, b.layout],
    ['the classes', a.classes, b.classes],
    ['the split', [a.split.seed, a.split.testFraction], [b.split.seed, b.split.testFraction]],
    ['the preprocessing', canonicalJson(a.preprocess), canonicalJson(b.preprocess)],
  ];
  return parts.filter(([, x, y]) => JSON.stringify(x) !== JSON.stringify(y)).map(([name]) => name);
}

/** What loadSplit needs to give the images the classifier was trained on: its dataset, its preprocessing, the folder's shape and split. */
export function classifierDataOptions(manifest: ClassifierManifest): LoadOptions {
  const folder = manifest.dataset.imageFolder;
  return { dataDir: classifierDataDir(manifest), binarization: manifest.binarization, ...(folder === undefined ? {} : optionsOf(folder)) };
}

/** One split of the classifier's own dataset (the first `limit` images), checked to be the recorded data and preprocessed as in training. */
export function classifierSplit(loaded: LoadedClassifier, split: Split, limit?: number): ImageSet {
  const options = classifierDataOptions(loaded.manifest);
  assertSameDataset(loaded, options.dataDir);
  return loadSplit(split, { ...options, limit });
}

/** Where the training data came from and the command that trained it, for the manifest. */
export interface TrainingProvenance {
  /** The --data-dir given, or undefined for the embedded MNIST. */
  dataDir?: string;
  /** How an image folder was read (the shape, split…): what its identity records; ignored for IDX. */
  imageOptions?: ImageFolderOptions;
  train: ImageSet;
  test: ImageSet;
  command: string;
}

/** The manifest (without file hashes, which saveClassifier adds) of a freshly trained classifier. */
export function manifestFor(trained: TrainedClassifier, provenance: TrainingProvenance): Omit<ClassifierManifest, 'files'> {
  const { train, test, dataDir } = provenance;
  const identity = datasetIdentity(dataDir, provenance.imageOptions);
  return {
    formatVersion: CLASSIFIER_FORMAT_VERSION,
    architecture: trained.classifier.architecture,
    binarization: train.binarization,
    dataset: {
      source: dataDir === undefined ? 'embedded' : workspaceRelative(path.resolve(dataDir)),
      files: identity.files,
      ...(identity.source === 'image-folder' ? { imageFolder: identity.imageFolder } : {}),
      trainImages: train.count,
      testImages: test.count,
    },
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

/** Reads the manifest, checks the architecture is this code's for its input shape and classes, loads the network hash-verified. */
export async function loadClassifier(dir: string): Promise<LoadedClassifier> {
  const { manifest, architecture } = await readManifest(dir);
  const network = await loadNetwork(dir, manifest);
  let classifier: Classifier;
  try {
    classifier = Classifier.fromNetwork(network, architecture);
  } catch (error) {
    network.dispose();
    throw new ClassifierError(dir, 'model.json', (error as Error).message);
  }
  return { classifier, manifest, ref: { path: workspaceRelative(dir), weights: manifest.files['weights.bin'], dataset: manifest.dataset.files } };
}

async function readManifest(dir: string): Promise<{ manifest: ClassifierManifest; architecture: ClassifierArchitecture }> {
  const file = path.join(dir, CLASSIFIER_MANIFEST_FILE);
  if (!(await pathExists(file))) throw new ClassifierError(dir, CLASSIFIER_MANIFEST_FILE, 'is missing (not a classifier directory; train one with `cvae classifier train`)');
  let manifest: ClassifierManifest;
  try {
    manifest = await readJsonFile(ClassifierManifestSchema, file);
  } catch (error) {
    if (error instanceof FormatError) throw new ClassifierError(dir, undefined, error.message);
    throw error;
  }
  const { inputShape, classes } = manifest.architecture;
  let architecture: ClassifierArchitecture;
  try {
    architecture = classifierArchitecture(inputShape, classes);
  } catch (error) {
    throw new ClassifierError(dir, CLASSIFIER_MANIFEST_FILE, `architecture: ${(error as Error).message.replace(/^classifier: /, '')}`);
  }
  if (canonicalJson(manifest.architecture) !== canonicalJson(architecture)) {
    throw new ClassifierError(dir, CLASSIFIER_MANIFEST_FILE, `architecture is not this code's classifier for ${inputShape.join('×')} images and ${classes} classes`);
  }
  return { manifest, architecture };
}

async function loadNetwork(dir: string, manifest: ClassifierManifest): Promise<tfl.LayersModel> {
  const handler = fileSystemIOHandler(dir, {
    onFileRead: (fileName, bytes) => {
      const expected = (manifest.files as Record<string, string>)[fileName];
      if (expected === undefined) throw new ClassifierError(dir, fileName, `is not listed in ${CLASSIFIER_MANIFEST_FILE}`);
      if (sha256Hex(bytes) !== expected) throw new ClassifierError(dir, fileName, 'sha256 mismatch (file changed or corrupted)');
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
  return sha256Hex(await fs.readFile(path.join(dir, name)));
}

/** JSON with object keys sorted, so two equal structures compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
