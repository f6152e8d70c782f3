/** Real processes writing goldens: killed with SIGKILL at every step of a write, and racing each other. */
import { sha256Hex } from '@cvae/formats';
import { spawn } from 'child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodePng } from '@cvae/images';
import { KILL_AT_ENV, readIndex, recoverInterruptedWrites, verifyGoldens, withGoldensLock } from './golden-writes';

jest.setTimeout(120_000);

const CHILD = path.join(__dirname, 'test-utils', 'golden-writer-child.ts');

function writer(dir: string, name: string, value: number, times = 1, env: Record<string, string> = {}): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), CHILD, 'write', dir, name, String(value), String(times)], {
      env: { ...process.env, TSX_TSCONFIG_PATH: path.resolve(__dirname, '..', '..', '..', 'tsconfig.base.json'), ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
  });
}

const pixel = (dir: string, name: string) => decodePng(readFileSync(path.join(dir, `${name}.png`))).rgba[0];

describe('golden writes', () => {
  const tempDir = () => mkdtempSync(path.join(os.tmpdir(), 'cvae-goldens-'));

  it.each([
    ['pending', 'old', []],
    ['index', 'new', ['digits']],
    ['rename', 'new', []],
  ] as const)('kill -9 right after the %s step: the check names exactly what is stale, the next writer finishes or discards the write', async (step, after, staleBefore) => {
    const dir = tempDir();
    expect((await writer(dir, 'digits', 10)).code).toBe(0);
    expect((await writer(dir, 'other', 90)).code).toBe(0);
    const killed = await writer(dir, 'digits', 200, 1, { [KILL_AT_ENV]: step });
    expect(killed.signal).toBe('SIGKILL');
    // Before anyone recovers: every golden but the one being written is intact, and that one is named if stale.
    const integrity = await verifyGoldens(dir);
    expect(integrity.filter((g) => g.status !== 'ok').map((g) => g.name)).toEqual(staleBefore);
    if (staleBefore.length > 0) expect(integrity.find((g) => g.name === 'digits')?.problem).toMatch(/digits\.png has sha256 [0-9a-f]{12}…, goldens\.json records [0-9a-f]{12}…/);
    // The next writer (or reader) under the lock completes the write or drops it.
    await withGoldensLock(dir, 'test', async () => undefined);
    expect((await verifyGoldens(dir)).map((g) => [g.name, g.status])).toEqual([['digits', 'ok'], ['other', 'ok']]);
    expect(pixel(dir, 'digits')).toBe(after === 'new' ? 200 : 10);
    expect(pixel(dir, 'other')).toBe(90);
    expect(readdirSync(dir).filter((f) => f.endsWith('.pending') || f.startsWith('.lock'))).toEqual([]);
  });

  it('two processes writing different goldens at once lose no entry (20 writes each)', async () => {
    const dir = tempDir();
    const results = await Promise.all([writer(dir, 'first', 0, 20), writer(dir, 'second', 100, 20)]);
    expect(results.map((r) => [r.code, r.stderr])).toEqual([[0, ''], [0, '']]);
    const index = await readIndex(dir);
    expect(Object.keys(index).sort()).toEqual(['first', 'second']);
    for (const name of ['first', 'second']) expect(index[name].sha256).toBe(sha256Hex(readFileSync(path.join(dir, `${name}.png`))));
    expect([pixel(dir, 'first'), pixel(dir, 'second')]).toEqual([19, 119]);
  });

  it('recovery discards a pending file the index does not vouch for', async () => {
    const dir = tempDir();
    expect((await writer(dir, 'digits', 10)).code).toBe(0);
    expect((await writer(dir, 'digits', 50, 1, { [KILL_AT_ENV]: 'pending' })).signal).toBe('SIGKILL');
    expect(readdirSync(dir)).toContain('digits.png.pending');
    expect(await recoverInterruptedWrites(dir)).toEqual([]);
    expect(readdirSync(dir)).not.toContain('digits.png.pending');
    expect(pixel(dir, 'digits')).toBe(10);
  });
});
