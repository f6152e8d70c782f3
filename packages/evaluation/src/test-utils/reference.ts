import { existsSync, mkdtempSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { referenceCheckpointDir } from '../paths';

/**
 * The reference checkpoint directory; fails (never skips) with instructions when it is absent,
 * because a quality suite that silently passes without a model proves nothing.
 */
export function referenceCheckpoint(): string {
  const dir = referenceCheckpointDir();
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`reference checkpoint missing: ${dir} has no manifest.json (train the reference run, or set CVAE_REFERENCE_CHECKPOINT to try another checkpoint)`);
  }
  return dir;
}

export function tempDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `cvae-eval-${label}-`));
}
