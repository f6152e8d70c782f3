import { ChildProcess } from 'child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProcessIdentity, currentProcessIdentity, isProcessAlive, isSameProcessAlive } from './process-identity';
import { childPidOf, exited, lockChild, lockChildArgs, lockChildRunBy, procState, underNonReapingParent, untilOutput, untilZombie } from './test-utils/child-processes';

jest.setTimeout(60_000);

/** Linux's USER_HZ, the unit of /proc/PID/stat's starttime: 100 on every architecture node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function uptimeSeconds(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
}

/** What a process printed as its own identity (computed by process-identity.ts inside it). */
async function identityOf(child: ChildProcess): Promise<ProcessIdentity> {
  return JSON.parse((await untilOutput(child, /^\{.*\}$/m))[0]) as ProcessIdentity;
}

function killIfRunning(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

describe('process identity', () => {
  it('records this process: its pid, its start time in clock ticks since boot, and the boot id', () => {
    const identity = currentProcessIdentity();
    expect(identity.pid).toBe(process.pid);
    expect(identity.bootId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const startedAtUptime = uptimeSeconds() - process.uptime();
    expect(Math.abs((identity.startTime as number) / CLOCK_TICKS_PER_SECOND - startedAtUptime)).toBeLessThan(2);
  });

  it('reads the start time of a process whose name holds spaces and parentheses (fields count from the last ")")', async () => {
    const oddNode = path.join(mkdtempSync(path.join(os.tmpdir(), 'cvae-identity-')), 'x) Z (y z');
    symlinkSync(process.execPath, oddNode); // the process's name (comm) is the name it was started by
    const startedAtUptime = uptimeSeconds();
    const odd = lockChildRunBy(oddNode, 'identity');
    try {
      const identity = await identityOf(odd);
      expect(readFileSync(`/proc/${odd.pid}/stat`, 'utf8')).toMatch(/^\d+ \(x\) Z \(y z\) [RS] /);
      expect(identity.pid).toBe(odd.pid);
      expect(Math.abs((identity.startTime as number) / CLOCK_TICKS_PER_SECOND - startedAtUptime)).toBeLessThan(5);
      expect(isProcessAlive(identity.pid)).toBe(true); // its state is S or R, not the Z in its name
      expect(isSameProcessAlive(identity)).toBe(true);
    } finally {
      odd.kill('SIGKILL');
      await exited(odd);
    }
  });

  it('a live process is the recorded one only with the recorded start time and boot id', async () => {
    const child = lockChild('identity');
    try {
      const identity = await identityOf(child);
      expect(isSameProcessAlive(identity)).toBe(true);
      expect(isSameProcessAlive({ pid: identity.pid })).toBe(true); // an older record: the pid alone
      expect(isSameProcessAlive({ ...identity, startTime: (identity.startTime as number) - 1 })).toBe(false); // pid reused
      expect(isSameProcessAlive({ ...identity, bootId: 'another-boot' })).toBe(false);
      child.kill('SIGKILL');
      await exited(child); // reaped by this process
      expect(isProcessAlive(identity.pid)).toBe(false);
      expect(isSameProcessAlive(identity)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
    }
  });

  it('a zombie (killed, not reaped by its parent) is not alive, though kill(pid, 0) still succeeds for it', async () => {
    const parent = underNonReapingParent(process.execPath, lockChildArgs('identity'));
    const pid = await childPidOf(parent);
    try {
      const identity = await identityOf(parent); // the child prints through its parent's stdout
      expect(identity.pid).toBe(pid);
      expect(isSameProcessAlive(identity)).toBe(true);
      process.kill(pid, 'SIGKILL');
      await untilZombie(pid);
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(isProcessAlive(pid)).toBe(false);
      expect(isSameProcessAlive(identity)).toBe(false);
      expect(isSameProcessAlive({ pid })).toBe(false);
      expect(procState(pid)).toBe('Z');
    } finally {
      killIfRunning(pid);
      parent.kill('SIGKILL');
      await exited(parent);
    }
  });

  it('pids that are not a process (0 and negatives name process groups for kill) are never alive', () => {
    for (const pid of [0, -1, 1.5, Number.NaN]) expect(isProcessAlive(pid)).toBe(false);
  });
});
