import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { z } from 'zod';
import { FormatError, parseFormat, parseJsonLines, readJsonFile, readJsonFileIfExists } from './read';

const Row = z.object({ epoch: z.number().int().positive(), name: z.string() });

describe('parseFormat', () => {
  it('returns the validated value', () => {
    expect(parseFormat(Row, { epoch: 1, name: 'a' }, 'x.json')).toEqual({ epoch: 1, name: 'a' });
  });

  it('fails with one line naming the file, the field and the value', () => {
    const error = captured(() => parseFormat(z.object({ config: Row }), { config: { epoch: '3', name: 'a' } }, 'runs/x/run.json'));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.message).toBe('runs/x/run.json: config.epoch: Invalid input: expected number, received string (got "3")');
    expect(error.message).not.toContain('\n');
    expect([error.file, error.field]).toEqual(['runs/x/run.json', 'config.epoch']);
  });

  it('names array elements by index', () => {
    expect(() => parseFormat(z.object({ rows: z.array(Row) }), { rows: [{ epoch: 1, name: 'a' }, { epoch: 0, name: 'b' }] }, 'f')).toThrow(/^f: rows\[1\]\.epoch: /);
  });
});

describe('parseJsonLines', () => {
  it('drops a torn last line (a crash mid-append) and nothing else', () => {
    const text = '{"epoch":1,"name":"a"}\n{"epoch":2,"name":"b"}\n{"epoch":3,"na';
    expect(parseJsonLines(Row, text, 'm.jsonl').map((r) => r.epoch)).toEqual([1, 2]);
  });

  it('fails on a bad line that is not the torn tail, naming file:line and field', () => {
    expect(() => parseJsonLines(Row, '{"epoch":1,"name":"a"}\nnot json\n{"epoch":3,"name":"c"}\n', 'm.jsonl')).toThrow(/^m\.jsonl:2: is not valid JSON/);
    expect(() => parseJsonLines(Row, '{"epoch":1,"name":"a"}\n{"epoch":2}\n', 'm.jsonl')).toThrow(/^m\.jsonl:2: name: /);
    // A complete last line (newline-terminated) is not torn: it must be valid.
    expect(() => parseJsonLines(Row, '{"epoch":1,"name":"a"}\n{"epo\n', 'm.jsonl')).toThrow(/^m\.jsonl:2: is not valid JSON/);
  });
});

describe('readJsonFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cvae-formats-'));

  it('names a missing file, invalid JSON and a bad field', async () => {
    const file = path.join(dir, 'a.json');
    await expect(readJsonFile(Row, file)).rejects.toThrow(`${file}: is missing`);
    await expect(readJsonFileIfExists(Row, file)).resolves.toBeUndefined();
    writeFileSync(file, '{"epoch": 1,');
    await expect(readJsonFile(Row, file)).rejects.toThrow(new RegExp(`^${file}: is not valid JSON \\(`));
    writeFileSync(file, '{"epoch": 1}');
    await expect(readJsonFile(Row, file)).rejects.toThrow(`${file}: name: Invalid input: expected string, received undefined`);
  });
});

function captured(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (error) {
    return error as FormatError;
  }
  throw new Error('expected an error');
}
