/**
 * Where cvae's files live. One rule for every command and library: the workspace root is
 * $CVAE_WORKSPACE when set, else the nearest directory at or above the working directory that holds
 * nx.json, else the working directory. It is found once per process; everything else is relative to it.
 */
import { existsSync } from 'fs';
import * as path from 'path';

export const WORKSPACE_ENV = 'CVAE_WORKSPACE';
const MARKER = 'nx.json';

let found: string | undefined;

export function workspaceRoot(): string {
  found ??= locateWorkspaceRoot(process.cwd(), process.env[WORKSPACE_ENV]);
  return found;
}

/** The rule itself, without the memo (for tests). */
export function locateWorkspaceRoot(cwd: string, override?: string): string {
  if (override !== undefined && override !== '') return path.resolve(cwd, override);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, MARKER))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/** The directories and files every command agrees on, under `root`. */
export function workspaceLayout(root: string = workspaceRoot()) {
  const runs = path.join(root, 'runs');
  return {
    root,
    runs,
    reports: path.join(root, 'reports'),
    referenceCheckpoint: path.join(runs, 'reference', 'checkpoints', 'last'),
  };
}
export type WorkspaceLayout = ReturnType<typeof workspaceLayout>;

/** Forward-slash path of `to` relative to `from`, so files written on one OS read the same on another. */
export function relativePosix(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}

/** `file` relative to the workspace root when inside it (forward slashes), else absolute. */
export function workspaceRelative(file: string, root: string = workspaceRoot()): string {
  const absolute = path.resolve(file);
  const relative = relativePosix(root, absolute);
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative;
}
