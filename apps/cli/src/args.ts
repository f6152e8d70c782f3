import { UsageError } from './errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Placeholder shown in help, e.g. DIR. */
  value?: string;
  default?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;
export type ParsedOptions = Record<string, string | boolean | undefined>;

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag` against a spec.
 * Strict: unknown flags, missing values and stray positionals are usage errors (exit 2).
 */
export function parseOptions(argv: string[], specs: OptionSpecs, positionals: 'none' | 'any' = 'none') {
  const options: ParsedOptions = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (positionals === 'none') throw new UsageError(`unexpected argument '${arg}'`);
      rest.push(arg);
      continue;
    }
    const [name, inlineValue] = splitFlag(arg.slice(2));
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown flag --${name}`);
    if (spec.type === 'boolean') {
      if (inlineValue !== undefined) throw new UsageError(`--${name} takes no value`);
      options[name] = true;
      continue;
    }
    const value = inlineValue ?? argv[++i];
    if (value === undefined || (inlineValue === undefined && value.startsWith('--'))) {
      throw new UsageError(`--${name} needs a value${spec.value ? ` (${spec.value})` : ''}`);
    }
    options[name] = value;
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (options[name] === undefined && spec.default !== undefined) options[name] = spec.default;
  }
  return { options, positionals: rest };
}

function splitFlag(flag: string): [string, string | undefined] {
  const eq = flag.indexOf('=');
  return eq < 0 ? [flag, undefined] : [flag.slice(0, eq), flag.slice(eq + 1)];
}

/** Reads an integer flag, checking it is within [min, max]. */
export function intOption(options: ParsedOptions, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+$/.test(raw.trim()) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new UsageError(`--${name} must be ${range}, got '${String(raw)}'`);
  }
  return value;
}

/** Reads a positive finite number flag. */
export function positiveNumberOption(options: ParsedOptions, name: string): number | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${name} must be a positive number, got '${String(raw)}'`);
  }
  return value;
}

/** Reads a string flag limited to a set of values. */
export function choiceOption<T extends string>(options: ParsedOptions, name: string, choices: readonly T[]): T | undefined {
  const raw = options[name];
  if (raw === undefined) return undefined;
  if (!choices.includes(raw as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${String(raw)}'`);
  return raw as T;
}

export function stringOption(options: ParsedOptions, name: string): string | undefined {
  const raw = options[name];
  return typeof raw === 'string' ? raw : undefined;
}
