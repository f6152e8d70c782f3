import * as path from 'path';
import { CheckpointManifest, CheckpointRef, WEIGHT_FILES, workspaceRelative, workspaceRoot } from '@cvae/formats';

export type { CheckpointRef };

/** The checkpoint's path and the sha256 of its weight files (nothing else: optimizer state does not change what the model draws). */
export function checkpointRef(dir: string, manifest: CheckpointManifest, root: string = workspaceRoot()): CheckpointRef {
  const weights = Object.fromEntries(WEIGHT_FILES.map((name) => [name, manifest.files[name]]));
  return { path: workspaceRelative(path.resolve(dir), root), weights };
}

export function sameWeights(a: CheckpointRef, b: CheckpointRef): boolean {
  return WEIGHT_FILES.every((name) => a.weights[name] !== undefined && a.weights[name] === b.weights[name]);
}
