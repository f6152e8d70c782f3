import * as path from 'path';
import { workspaceLayout, workspaceRoot } from '@cvae/formats';

export { relativePosix, workspaceRoot } from '@cvae/formats';

/**
 * The reference model: `runs/reference/checkpoints/last` under the workspace root, or
 * $CVAE_REFERENCE_CHECKPOINT when set (for trying the harness on another checkpoint).
 */
export function referenceCheckpointDir(root: string = workspaceRoot()): string {
  const override = process.env['CVAE_REFERENCE_CHECKPOINT'];
  if (override !== undefined && override !== '') return path.resolve(root, override);
  return workspaceLayout(root).referenceCheckpoint;
}
