/**
 * Is a run being trained right now? run.json says 'running' from the start of a session until its end,
 * so a process killed with -9 leaves a run that says 'running' forever. The run lock and progress.json
 * decide: the trainer holds `runs/<name>/.lock` (pid, start time, boot id, host) for the whole session, and
 * rewrites progress.json at least every PROGRESS_HEARTBEAT_SECONDS. A run is stopped by the same rule that
 * lets the next trainer break the lock (@cvae/images' isLockHolderGone: gone, a zombie, a reused pid,
 * another boot), so the viewer never calls live a run that `cvae train --resume` would take over.
 */
import type { RunInfo, TrainingProgress } from '@cvae/formats';
import { isLockHolderGone, type LockHolder } from '@cvae/images';
import type { Liveness } from '../shared/api-types';

/** training's RUN_LOCK_FILE (the viewer does not import training). */
export const RUN_LOCK_FILE = '.lock';
/** progress.json older than this means the trainer stopped answering (a heartbeat is ≤ 5 s; a busy machine gets slack). */
export const STALE_AFTER_SECONDS = 60;

export function runLiveness(run: RunInfo | null, progress: TrainingProgress | null, lock: LockHolder | undefined, now: number = Date.now()): Liveness {
  if (run === null) return { state: 'unknown', reason: 'no readable run.json' };
  if (run.status !== 'running') return { state: 'finished', reason: run.status };
  if (lock === undefined) return { state: 'stopped', reason: 'run.json says running, but no trainer holds the run: its process ended without finishing run.json' };
  if (isLockHolderGone(lock)) return { state: 'stopped', reason: `the training process (pid ${lock.pid}) is gone` };
  const age = progress === null ? null : (now - Date.parse(progress.updatedAt)) / 1000;
  if (age !== null && age > STALE_AFTER_SECONDS) return { state: 'stalled', reason: `no progress for ${Math.round(age)} s (pid ${lock.pid} on ${lock.host})` };
  return { state: 'live', reason: `pid ${lock.pid} on ${lock.host}` };
}
