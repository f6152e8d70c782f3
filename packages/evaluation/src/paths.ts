import { existsSync } from 'fs';
import * as path from 'path';

/** The directory containing nx.json, searched upwards from `start` (default: this file's directory). */
export function workspaceRoot(start: string = __dirname): string {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json found above ${start}: cannot locate the cvae workspace root`);
    dir = parent;
  }
}

/**
 * The reference model: `runs/reference/checkpoints/last` under the workspace root, or
 * $CVAE_REFERENCE_CHECKPOINT when set (for trying the harness on another checkpoint).
 */
export function referenceCheckpointDir(root: string = workspaceRoot()): string {
  const override = process.env['CVAE_REFERENCE_CHECKPOINT'];
  if (override !== undefined && override !== '') return path.resolve(override);
  return path.join(root, 'runs', 'reference', 'checkpoints', 'last');
}

export function evaluationPackageDir(root: string = workspaceRoot()): string {
  return path.join(root, 'packages', 'evaluation');
}

export function defaultGoldensDir(root: string = workspaceRoot()): string {
  return path.join(evaluationPackageDir(root), 'goldens');
}

export function defaultReportDir(root: string = workspaceRoot()): string {
  return path.join(root, 'reports', 'golden');
}

export function defaultGatesFile(root: string = workspaceRoot()): string {
  return path.join(evaluationPackageDir(root), 'gates.json');
}

/** Forward-slash relative path, so report.json reads the same on every OS. */
export function relativePosix(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}
