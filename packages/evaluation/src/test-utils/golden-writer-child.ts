/**
 * A real process writing goldens, for the crash and concurrency tests. Usage:
 *   write DIR NAME VALUE [TIMES]   TIMES (default 1) writes of NAME: a 2×2 PNG filled with VALUE (+i)
 * Honours CVAE_TEST_KILL_GOLDEN_WRITE_AT (see golden-writes.ts) to die by SIGKILL mid-write.
 */
import { encodePng } from '@cvae/images';
import { writeGolden } from '../golden-store';
import { withGoldensLock } from '../golden-writes';

const PROVENANCE = {
  kind: 'prior' as const,
  seed: 1,
  grid: 2,
  checkpoint: { path: 'runs/test', weights: { 'encoder/weights.bin': 'a'.repeat(64), 'decoder/weights.bin': 'b'.repeat(64) } },
  backend: 'cpu',
};

async function main(): Promise<void> {
  const [, dir, name, value, times = '1'] = process.argv.slice(2);
  for (let i = 0; i < Number(times); i++) {
    const png = encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(4).fill((Number(value) + i) % 256) });
    await withGoldensLock(dir, `test writer ${name}`, () => writeGolden(dir, name, png, { width: 2, height: 2 }, PROVENANCE, 'update'));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
