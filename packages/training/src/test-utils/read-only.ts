import { execFileSync } from 'child_process';
import { chmodSync } from 'fs';

/**
 * Makes `dir` unwritable for this process, as a disk remounted read-only would. chmod does not stop
 * root (tests run as root in CI), so as root it is a read-only bind mount of the directory onto itself.
 * Returns the undo.
 */
export function makeReadOnly(dir: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('mount', ['--bind', dir, dir]);
    execFileSync('mount', ['-o', 'remount,bind,ro', dir]);
    return () => execFileSync('umount', [dir]);
  }
  chmodSync(dir, 0o555);
  return () => chmodSync(dir, 0o755);
}
