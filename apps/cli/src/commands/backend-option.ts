import { availableParallelism } from 'os';
import { BACKEND_PREFERENCES, BackendPreference } from '@cvae/tfjs-kernels';
import { choiceOption, intOption, OptionSpec, ParsedOptions } from '../args';

/** The --backend flag shared by every command that computes. */
export const BACKEND_OPTION: OptionSpec = {
  type: 'string',
  value: 'B',
  description: `${BACKEND_PREFERENCES.join(' | ')} (default: env CVAE_BACKEND, else auto = tfjs-node if installed, else wasm, else cpu)`,
};

/** --backend, validated (a usage error names the allowed values); undefined lets initBackend read CVAE_BACKEND. */
export function backendOption(options: ParsedOptions): BackendPreference | undefined {
  return choiceOption(options, 'backend', BACKEND_PREFERENCES);
}

/**
 * The --workers flag of train and bench. Default: one thread per core, because tfjs's wasm backend is
 * single-threaded in Node and two data-parallel threads measured faster than one on every run here.
 */
export const WORKERS_OPTION: OptionSpec = {
  type: 'string',
  value: 'N',
  description: `threads computing gradients, main thread included (default: ${availableParallelism()}, the number of cores; use 1 with tfjs-node, which is multi-threaded itself)`,
};

export function workersFlag(options: ParsedOptions): number {
  return intOption(options, 'workers', 1, 64) ?? availableParallelism();
}
