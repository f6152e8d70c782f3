/**
 * Is the process that wrote a record (a lock file) still running? A pid alone cannot say: kill(pid, 0)
 * succeeds for a zombie (dead, not yet reaped by its parent — for ever under a PID 1 that never reaps
 * orphans) and for an unrelated process that was given the same pid later. So a record also holds the
 * process's start time (Linux: /proc/PID/stat field 22, clock ticks since boot) and the boot id; a live
 * pid with another start time, or a record from another boot, is another process. Where /proc is missing
 * (not Linux), and for records without these fields, the pid alone decides, as it did before.
 */
import { readFileSync } from 'fs';

export interface ProcessIdentity {
  pid: number;
  /** /proc/PID/stat's starttime: clock ticks from boot to the process's start (absent without /proc). */
  startTime?: number;
  /** /proc/sys/kernel/random/boot_id: start times only compare within one boot (absent without /proc). */
  bootId?: string;
}

/** What /proc/PID/stat says about a process. */
interface ProcStat {
  /** R, S, D, T, Z (zombie), X (dead), … */
  state: string;
  startTime: number;
}

/** A zombie has exited; X is the instant of being reaped. Neither will ever release anything. */
const DEAD_STATES = new Set(['Z', 'X']);

let selfIdentity: ProcessIdentity | undefined;

/** This process, as a record of it should say (computed once: none of it changes while it runs). */
export function currentProcessIdentity(): ProcessIdentity {
  if (selfIdentity?.pid !== process.pid) {
    selfIdentity = { pid: process.pid, startTime: readProcStat(process.pid)?.startTime, bootId: readBootId() };
  }
  return { ...selfIdentity };
}

/**
 * Whether the process a record names is still that process and running: its pid exists and is not a
 * zombie, it was taken in this boot, and (when the record has a start time and /proc can tell) it started
 * when the record says. Only meaningful on the host that wrote the record.
 */
export function isSameProcessAlive(record: ProcessIdentity): boolean {
  const bootId = currentProcessIdentity().bootId;
  if (record.bootId !== undefined && bootId !== undefined && record.bootId !== bootId) return false;
  if (!isProcessAlive(record.pid)) return false;
  if (record.startTime === undefined) return true;
  const stat = readProcStat(record.pid);
  return stat === undefined || stat.startTime === record.startTime;
}

/**
 * Whether a process with this pid exists on this host and has not exited (EPERM: it exists, owned by
 * someone else; a zombie has exited). Without /proc, a zombie cannot be told from a live process.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false; // 0 and negatives would name process groups
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcStat(pid);
  return stat === undefined || !DEAD_STATES.has(stat.state);
}

/** /proc/PID/stat's state and start time, or undefined where it cannot be read (no /proc, hidden, just exited). */
function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseProcStat(text);
}

/**
 * Field 2 (comm, the executable's name) is in parentheses and may itself hold spaces and parentheses,
 * so the fields are counted from the last ')': field 3 (state) is the first after it, field 22 the 20th.
 */
function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  const state = fields[0];
  const startTime = Number(fields[22 - 3]);
  if (state === undefined || state === '' || !Number.isSafeInteger(startTime)) return undefined;
  return { state, startTime };
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
