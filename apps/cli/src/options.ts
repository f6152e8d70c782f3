/**
 * Value parsers and the flags several commands share. Each shared flag is defined once here, so its
 * name, value placeholder, range and message are the same on every command that takes it.
 *
 * Parsers throw commander's InvalidArgumentError with a reason that does not name the flag
 * ("must be …, got 'x'"): commander knows whether the value came from the command line or from an
 * environment variable, and errors.ts puts that name in front.
 */
import { existsSync, statSync } from 'fs';
import { availableParallelism } from 'os';
import { InvalidArgumentError, Option } from 'commander';
import { defaultSuiteDir, referenceCheckpointDir } from '@cvae/evaluation';
import { MAX_SEED } from '@cvae/formats';
import { BACKEND_PREFERENCES } from '@cvae/tfjs-kernels';
import { UsageError } from './errors';

export const BACKEND_ENV = 'CVAE_BACKEND';

/** An integer in [min, max]; the message states the range ("≥ min" when there is no upper bound). */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (/^-?\d+$/.test(raw.trim()) && value >= min && value <= max) return value;
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new InvalidArgumentError(`must be ${range}, got '${raw}'`);
  };
}

export function positiveNumber(raw: string): number {
  const value = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(value) && value > 0) return value;
  throw new InvalidArgumentError(`must be a positive number, got '${raw}'`);
}

export function nonNegativeNumber(raw: string): number {
  const value = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(value) && value >= 0) return value;
  throw new InvalidArgumentError(`must be a number ≥ 0, got '${raw}'`);
}

/** Used after `.choices()`, which keeps listing the values in help but would word the error its own way. */
export function oneOf<T extends string>(choices: readonly T[]): (raw: string) => T {
  return (raw) => {
    if ((choices as readonly string[]).includes(raw)) return raw as T;
    throw new InvalidArgumentError(`must be one of ${choices.join(', ')}, got '${raw}'`);
  };
}

export function choiceOption<T extends string>(flags: string, description: string, choices: readonly T[]): Option {
  return new Option(flags, description).choices(choices).argParser(oneOf(choices));
}

export function existingDirectory(raw: string): string {
  if (isDirectory(raw)) return raw;
  throw new InvalidArgumentError(`${raw}: directory does not exist`);
}

export function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** --backend B, else $CVAE_BACKEND (the library no longer reads it); undefined = auto, or a resumed run's own backend. */
export function backendOption(): Option {
  const description = 'tfjs backend; auto (the default) = tfjs-node if installed, else wasm, else cpu';
  return choiceOption('--backend <B>', description, BACKEND_PREFERENCES).env(BACKEND_ENV);
}

/**
 * --workers N. Default: one thread per core, because tfjs's wasm backend is single-threaded in Node and
 * two data-parallel threads measured faster than one on every run here.
 */
export function workersOption(what: string): Option {
  const cores = availableParallelism();
  return new Option('--workers <N>', `threads ${what}, main thread included`).argParser(integer(1, 64)).default(cores, `${cores}, the number of cores`);
}

/** --seed S: one range for every command, the one run.json and goldens.json accept. */
export function seedOption(what: string): Option {
  return new Option('--seed <S>', `seed of ${what}`).argParser(integer(0, MAX_SEED));
}

/** --data-dir DIR; `defaultText` says what is used without it (training: the embedded MNIST; evaluation: the checkpoint's own dataset). */
export function dataDirOption(defaultText = 'default: the embedded MNIST'): Option {
  return new Option('--data-dir <DIR>', `the four MNIST-format IDX files (raw or .gz), or an image folder (DIR/<class>/*.png|jpg, DIR/train|test/<class>/…, DIR/*.png); ${defaultText}`).argParser(existingDirectory);
}

/**
 * --checkpoint DIR, required or defaulting to the workspace's reference model. Whether it exists is
 * checked when the command runs (existingCheckpoint), so a bad value of a later flag is reported first.
 */
export function checkpointOption({ required = false, suiteDefault = false } = {}): Option {
  const option = new Option('--checkpoint <DIR>', suiteDefault ? 'checkpoint directory (default: the suite\'s own, from its suite.json)' : 'checkpoint directory');
  if (required) return option.makeOptionMandatory();
  if (suiteDefault) return option;
  const reference = referenceCheckpointDir();
  return option.default(reference, `the reference model, ${reference}`);
}

/**
 * A path flag whose default is a place in the workspace layout (absolute, so every command agrees
 * whatever the working directory); a path the user gives stays relative to the working directory.
 */
export function workspacePathOption(flags: string, description: string, defaultPath: string): Option {
  // The description form shows the path as is; commander would print the bare value JSON-quoted.
  return new Option(flags, description).default(defaultPath, defaultPath);
}

/** --suite DIR: a suite directory (default: the workspace's reference suite, suites/reference). */
export function suiteOption(): Option {
  const reference = defaultSuiteDir();
  return new Option('--suite <DIR>', 'suite directory').default(reference, reference);
}

export function jsonOption(): Option {
  return new Option('--json', 'print one JSON object');
}

export function existingCheckpoint(dir: string): string {
  if (existsSync(dir)) return dir;
  const hint = dir === referenceCheckpointDir() ? ' (the reference model; pass --checkpoint DIR)' : '';
  throw new UsageError(`checkpoint directory ${dir} does not exist${hint}`);
}

/** An optional --checkpoint, checked like a given one; undefined leaves the choice to the suite (or the command). */
export function optionalCheckpoint(dir: string | undefined): string | undefined {
  return dir === undefined ? undefined : existingCheckpoint(dir);
}
