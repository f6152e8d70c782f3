import * as path from 'path';
import type { CheckpointManifest } from '@cvae/model';
import { relativePosix, workspaceRoot } from './paths';

/** Which checkpoint an image or metric came from: its path and the sha256 of its weight files. */
export interface CheckpointRef {
  /** Relative to the workspace root (forward slashes) when inside it, else absolute. */
  path: string;
  /** sha256 of every `*.bin` weight file, as listed in the checkpoint manifest. */
  weights: Record<string, string>;
}

export function checkpointRef(dir: string, manifest: CheckpointManifest, root: string = workspaceRoot()): CheckpointRef {
  const absolute = path.resolve(dir);
  const relative = relativePosix(root, absolute);
  const weights = Object.fromEntries(Object.entries(manifest.files).filter(([name]) => name.endsWith('.bin')));
  return { path: relative.startsWith('..') ? absolute : relative, weights };
}

export function sameWeights(a: CheckpointRef, b: CheckpointRef): boolean {
  return JSON.stringify(sortedEntries(a.weights)) === JSON.stringify(sortedEntries(b.weights));
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([x], [y]) => x.localeCompare(y));
}
