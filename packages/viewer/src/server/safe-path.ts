import { promises as fs } from 'fs';
import * as path from 'path';

/**
 * Maps the still-percent-encoded part of a URL path (after its route prefix) to a regular file
 * inside `root`, or null. Null covers every way out of the root: `..` (plain or encoded),
 * encoded separators, absolute paths, NUL bytes, and symlinks whose target lies outside.
 * Callers answer null with 404, so a probe learns nothing about what exists outside.
 */
export async function resolveFileInside(root: string, encodedRelativePath: string): Promise<string | null> {
  const segments = decodeSafeSegments(encodedRelativePath);
  if (segments === null) return null;
  const realRoot = await realpathOrNull(root);
  if (realRoot === null) return null;
  const realFile = await realpathOrNull(path.join(realRoot, ...segments));
  if (realFile === null || !isInside(realRoot, realFile)) return null;
  const stat = await fs.stat(realFile).catch(() => null);
  return stat?.isFile() ? realFile : null;
}

/** Splits on `/` BEFORE decoding, so an encoded `%2f` can never create a new path level. */
export function decodeSafeSegments(encodedRelativePath: string): string[] | null {
  if (encodedRelativePath === '') return null;
  const segments: string[] = [];
  for (const encoded of encodedRelativePath.split('/')) {
    const segment = decodeOrNull(encoded);
    if (segment === null || !isPlainSegment(segment)) return null;
    segments.push(segment);
  }
  return segments;
}

/** A file or directory name: not empty, not `.`/`..`, no separators of any platform, no NUL. */
function isPlainSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !/[/\\\0]/.test(segment) && !path.isAbsolute(segment);
}

function decodeOrNull(encoded: string): string | null {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return null; // malformed escape such as %zz
  }
}

export function isInside(realRoot: string, candidate: string): boolean {
  return candidate === realRoot || candidate.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

export async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await fs.realpath(p);
  } catch {
    return null;
  }
}
