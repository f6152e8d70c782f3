/**
 * A real process for the lock tests. Usage:
 *   hold FILE              take the lock, print "locked", hold it until killed or stdin closes
 *   hold-until-killed FILE take the lock, print "locked PID", hold it until killed (stdin may be /dev/null)
 *   try FILE               take the lock once without waiting, print "locked", release it (fails naming the holder)
 *   count FILE COUNTER N   take the lock N times, each time read-increment-write COUNTER (non-atomically)
 *   identity               print this process's identity as JSON, then wait until killed
 */
import { promises as fs } from 'fs';
import { acquireLock } from '../lock';
import { currentProcessIdentity } from '../process-identity';

async function main(): Promise<void> {
  const [mode, file, counter, times] = process.argv.slice(2);
  if (mode === 'hold') {
    const lock = await acquireLock(file, 'lock test: hold');
    process.stdout.write('locked\n');
    process.stdin.resume();
    process.stdin.on('end', () => void lock.release().then(() => process.exit(0)));
    return;
  }
  if (mode === 'hold-until-killed') {
    await acquireLock(file, 'lock test: hold until killed');
    process.stdout.write(`locked ${process.pid}\n`);
    setInterval(() => undefined, 60_000);
    return;
  }
  if (mode === 'try') {
    const lock = await acquireLock(file, 'lock test: try');
    process.stdout.write('locked\n');
    await lock.release();
    return;
  }
  if (mode === 'identity') {
    process.stdout.write(`${JSON.stringify(currentProcessIdentity())}\n`);
    setInterval(() => undefined, 60_000);
    return;
  }
  for (let i = 0; i < Number(times); i++) {
    const lock = await acquireLock(file, 'lock test: count', { waitMs: 60_000, pollMs: 1 });
    const value = Number(await fs.readFile(counter, 'utf8'));
    await new Promise((resolve) => setImmediate(resolve)); // widen the window a lost update needs
    await fs.writeFile(counter, String(value + 1));
    await lock.release();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
