/**
 * Golden suites: a directory per suite under `<workspace>/suites/`, holding suite.json (read through
 * its @cvae/formats schema), the golden PNGs and their index, the baseline's per-image metrics and the
 * measured noise. The reference model's suite is `suites/reference`.
 */
import { existsSync, readdirSync } from 'fs';
import * as path from 'path';
import { SUITE_FILE, Suite, SuiteSchema, readJsonFile, workspaceLayout, workspaceRoot } from '@cvae/formats';

export const SUITES_DIR = 'suites';
export const REFERENCE_SUITE = 'reference';

export interface LoadedSuite {
  /** The directory name: `reference` for suites/reference. */
  name: string;
  /** Absolute. */
  dir: string;
  suite: Suite;
}

export function suitesRoot(root: string = workspaceRoot()): string {
  return path.join(root, SUITES_DIR);
}

export function defaultSuiteDir(root: string = workspaceRoot()): string {
  return path.join(suitesRoot(root), REFERENCE_SUITE);
}

/** Every suite of the workspace (directories of suites/ holding suite.json), sorted by name. Synchronous: jest collects tests with it. */
export function listSuiteDirs(root: string = workspaceRoot()): string[] {
  const parent = suitesRoot(root);
  if (!existsSync(parent)) return [];
  return readdirSync(parent, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(parent, entry.name, SUITE_FILE)))
    .map((entry) => path.join(parent, entry.name))
    .sort();
}

export async function readSuite(dir: string): Promise<LoadedSuite> {
  const absolute = path.resolve(dir);
  return { name: path.basename(absolute), dir: absolute, suite: await readJsonFile(SuiteSchema, path.join(absolute, SUITE_FILE)) };
}

/** The checkpoint a suite checks by default: its recorded path, relative to the workspace root. */
export function suiteCheckpointDir(suite: Suite, root: string = workspaceRoot()): string {
  return path.resolve(root, suite.checkpoint.path);
}

/** Where `cvae check` writes a suite's report by default: reports/<suite name>. */
export function defaultSuiteReportDir(name: string, root: string = workspaceRoot()): string {
  return path.join(workspaceLayout(root).reports, name);
}
