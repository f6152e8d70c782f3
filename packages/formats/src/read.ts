/**
 * Reading cvae's files: parse, then validate against the format's schema. Whatever is wrong — a
 * missing file, invalid JSON, a field of the wrong type — becomes one FormatError line naming the
 * file and the field, e.g. `runs/x/run.json: config.batchSize: expected number, received string`.
 */
import { promises as fs } from 'fs';
import type { z } from 'zod';
import { oneLine } from './common';

export class FormatError extends Error {
  override name = 'FormatError';
  constructor(
    readonly file: string,
    readonly field: string | undefined,
    problem: string,
  ) {
    super(`${file}: ${field === undefined ? '' : `${field}: `}${problem}`);
  }
}

/** `value` validated against `schema`; `where` names the file (and line) in the error. */
export function parseFormat<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  // A bad record key (e.g. an unsafe path in a manifest's files) says why through its inner issue.
  const inner = issue.code === 'invalid_key' ? issue.issues[0] : undefined;
  throw new FormatError(where, fieldName(issue.path), `${oneLine((inner ?? issue).message)}${received(issue.input)}`);
}

/** ` (got 2)`: the offending value when it is short enough to name in one line. */
function received(input: unknown): string {
  if (input === undefined || (typeof input === 'object' && input !== null)) return '';
  const text = JSON.stringify(input);
  return text.length <= 40 ? ` (got ${text})` : '';
}

/** JSON text validated against `schema`. */
export function parseJsonText<S extends z.ZodType>(schema: S, text: string, where: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FormatError(where, undefined, `is not valid JSON (${oneLine((error as Error).message)})`);
  }
  return parseFormat(schema, value, where);
}

/** The file, parsed and validated; a missing file is a FormatError too. */
export async function readJsonFile<S extends z.ZodType>(schema: S, file: string): Promise<z.output<S>> {
  const text = await readText(file);
  if (text === undefined) throw new FormatError(file, undefined, 'is missing');
  return parseJsonText(schema, text, file);
}

/** The file, parsed and validated, or undefined when it does not exist. */
export async function readJsonFileIfExists<S extends z.ZodType>(schema: S, file: string): Promise<z.output<S> | undefined> {
  const text = await readText(file);
  return text === undefined ? undefined : parseJsonText(schema, text, file);
}

/**
 * Rows of a JSON-lines file that is appended durably (metrics.jsonl). A crash mid-append can leave
 * the last line torn, so an unparsable *last* line is dropped; any other bad line is an error
 * naming `file:line` and the field.
 */
export function parseJsonLines<S extends z.ZodType>(schema: S, text: string, file: string): z.output<S>[] {
  const lines = text.split('\n');
  const lastContent = lines.reduce((last, line, i) => (line.trim() === '' ? last : i), -1);
  const rows: z.output<S>[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      if (i === lastContent && !text.endsWith('\n')) return; // torn by a crash mid-append
      throw new FormatError(`${file}:${i + 1}`, undefined, `is not valid JSON (${oneLine((error as Error).message)})`);
    }
    rows.push(parseFormat(schema, value, `${file}:${i + 1}`));
  });
  return rows;
}

/** The rows of a JSON-lines file, or [] when it does not exist. */
export async function readJsonLinesFile<S extends z.ZodType>(schema: S, file: string): Promise<z.output<S>[]> {
  const text = await readText(file);
  return text === undefined ? [] : parseJsonLines(schema, text, file);
}

function fieldName(path: readonly PropertyKey[]): string | undefined {
  if (path.length === 0) return undefined;
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FormatError(file, undefined, `cannot be read (${oneLine(error)})`);
  }
}
