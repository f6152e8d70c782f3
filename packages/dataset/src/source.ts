import { existsSync, statSync } from 'fs';
import { join } from 'path';
import { DatasetError } from './idx';
import { MnistSource, resolveMnistSource, STANDARD_FILE_NAMES } from './mnist';

/** What a `dataDir` holds: IDX files (read exactly as before image folders existed) or an image folder. */
export type DataSource = { kind: 'idx'; source: MnistSource } | { kind: 'image-folder'; dir: string };

/**
 * The embedded MNIST when `dataDir` is undefined; IDX when the directory holds any of the standard IDX
 * file names (a missing one is then reported as before); otherwise an image folder.
 */
export function resolveDataSource(dataDir?: string): DataSource {
  if (dataDir === undefined) return { kind: 'idx', source: resolveMnistSource() };
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new DatasetError(`${dataDir}: data directory does not exist`);
  if (holdsIdxFiles(dataDir)) return { kind: 'idx', source: resolveMnistSource(dataDir) };
  return { kind: 'image-folder', dir: dataDir };
}

function holdsIdxFiles(dir: string): boolean {
  return Object.values(STANDARD_FILE_NAMES).some((name) => existsSync(join(dir, name)) || existsSync(join(dir, `${name}.gz`)));
}
