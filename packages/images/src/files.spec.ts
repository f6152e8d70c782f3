import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { appendFileDurably, pathExists, readJsonIfExists, writeFileAtomic, writeJsonAtomic } from './files';

describe('atomic files', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cvae-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('writeFileAtomic creates missing directories, replaces the file and leaves no temp file', async () => {
    const file = path.join(dir, 'a', 'b.txt');
    await writeFileAtomic(file, 'old');
    await writeFileAtomic(file, Uint8Array.of(110, 101, 119));
    expect(readFileSync(file, 'utf8')).toBe('new');
    expect(readdirSync(path.dirname(file))).toEqual(['b.txt']);
  });

  test('a failing write leaves the old file intact and no temp file behind', async () => {
    const file = path.join(dir, 'target');
    // A directory in the way makes the final rename fail after the temp file was written.
    mkdirSync(file);
    writeFileSync(path.join(file, 'keep'), 'old');
    await expect(writeFileAtomic(file, 'new')).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readFileSync(path.join(file, 'keep'), 'utf8')).toBe('old');
  });

  test('JSON round trip; a missing file reads as undefined; invalid JSON names the file', async () => {
    const file = path.join(dir, 'doc.json');
    expect(await readJsonIfExists(file)).toBeUndefined();
    await writeJsonAtomic(file, { a: [1, 2] });
    expect(readFileSync(file, 'utf8')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}\n');
    expect(await readJsonIfExists(file)).toEqual({ a: [1, 2] });
    writeFileSync(file, '{ torn');
    await expect(readJsonIfExists(file)).rejects.toThrow(`${file} is not valid JSON`);
  });

  test('appendFileDurably appends to what is there', async () => {
    const file = path.join(dir, 'log.jsonl');
    await appendFileDurably(file, '1\n');
    await appendFileDurably(file, '2\n');
    expect(readFileSync(file, 'utf8')).toBe('1\n2\n');
  });

  test('pathExists sees files and directories, not missing paths', async () => {
    writeFileSync(path.join(dir, 'file'), '');
    expect(await Promise.all([dir, path.join(dir, 'file'), path.join(dir, 'missing')].map(pathExists))).toEqual([true, true, false]);
  });
});
