/**
 * Obsolete goldens, as jest has obsolete snapshots: PNG files or goldens.json entries of a suite that
 * no image set of its suite.json produces any more. Reported by every check, a failure in CI mode
 * (`--ci`, or CI set), and removed by `-u` (`cvae golden update`).
 */
import { promises as fs } from 'fs';
import * as path from 'path';
import type { ObsoleteGolden, Suite } from '@cvae/formats';
import { writeJsonAtomic } from '@cvae/images';
import { GOLDENS_INDEX_FILE, readIndex } from './golden-writes';

/** Names (sorted) that have a PNG or an index entry in `dir` but no image in the suite. */
export async function obsoleteGoldens(dir: string, suite: Suite): Promise<string[]> {
  const pngs = (await fs.readdir(dir)).filter((f) => f.endsWith('.png')).map((f) => f.slice(0, -'.png'.length));
  const indexed = Object.keys(await readIndex(dir));
  return [...new Set([...pngs, ...indexed])].filter((name) => !(name in suite.images)).sort();
}

/** Removes obsolete PNGs and index entries. Call inside withGoldensLock. Returns what it removed. */
export async function removeObsoleteGoldens(dir: string, suite: Suite): Promise<string[]> {
  const obsolete = await obsoleteGoldens(dir, suite);
  if (obsolete.length === 0) return [];
  const index = await readIndex(dir);
  for (const name of obsolete) delete index[name];
  await writeJsonAtomic(path.join(dir, GOLDENS_INDEX_FILE), index);
  for (const name of obsolete) await fs.rm(path.join(dir, `${name}.png`), { force: true });
  return obsolete;
}

/** The report's entries: one line each saying how to remove it; in CI mode (`failed`) each fails the check. */
export function obsoleteEntries(names: string[], dir: string, failed: boolean): ObsoleteGolden[] {
  const suite = path.relative(process.cwd(), dir) || '.';
  const verdict = failed ? 'FAIL (CI mode)' : 'reported (fails under --ci)';
  return names.map((name) => ({
    name,
    failed,
    message: `golden ${name}: OBSOLETE, ${verdict}: no image of suite.json produces it; remove it with: npx cvae golden update --suite ${suite} (or cvae check -u)`,
  }));
}
