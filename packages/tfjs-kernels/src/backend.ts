/**
 * Chooses and initialises a tfjs backend for training: tfjs-node when it is installed, else wasm
 * with our kernels, else cpu with our kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from './register';

export type BackendPreference = 'auto' | 'tfjs-node' | 'wasm' | 'cpu';

export interface BackendChoice {
  name: 'tensorflow' | 'wasm' | 'cpu';
  preference: BackendPreference;
  reason: string;
}

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tfjs-node', 'wasm', 'cpu'];
const TFJS_NODE = '@tensorflow/tfjs-node';

export function parseBackendPreference(value: string, source: string): BackendPreference {
  const normalised = value.trim().toLowerCase();
  const match = BACKEND_PREFERENCES.find((p) => p === normalised);
  if (match == null) {
    throw new Error(`${source}: unknown backend "${value}"; expected one of ${BACKEND_PREFERENCES.join(', ')}`);
  }
  return match;
}

/** Loads tfjs-node lazily (it is an optional dependency); returns why it is unusable, or null if it loaded. */
function loadTfjsNode(): string | null {
  try {
    // A computed name keeps bundlers and tsc from requiring the optional package at build time.
    const name: string = TFJS_NODE;
    require(name);
    return null;
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === 'MODULE_NOT_FOUND' ? `${TFJS_NODE} is not installed` : `${TFJS_NODE} failed to load (${(error as Error).message})`;
  }
}

async function activate(name: BackendChoice['name']): Promise<boolean> {
  registerTrainingKernels(name);
  const ok = await tf.setBackend(name);
  if (ok) await tf.ready();
  if (ok && name === 'cpu') silenceCpuBanner();
  return ok && tf.getBackend() === name;
}

/**
 * tfjs's cpu backend prints a multi-line "install tfjs-node" banner on its first tensor; cvae already
 * says which backend it picked and why (BackendChoice.reason), so the banner is only noise in CLI output.
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}

const KERNEL_NOTE: Record<BackendChoice['name'], string> = {
  tensorflow: 'tfjs-node (native TensorFlow)',
  wasm: 'wasm with @cvae/tfjs-kernels (conv.wasm)',
  cpu: 'cpu (plain JS) with @cvae/tfjs-kernels',
};

/** The preference that selects backend `name` (tfjs-node's backend is called 'tensorflow'): what to give another thread. */
export function preferenceOf(name: string): string {
  return name === 'tensorflow' ? 'tfjs-node' : name;
}

async function chooseExplicit(preference: Exclude<BackendPreference, 'auto'>): Promise<BackendChoice> {
  const name: BackendChoice['name'] = preference === 'tfjs-node' ? 'tensorflow' : preference;
  if (name === 'tensorflow') {
    const problem = loadTfjsNode();
    if (problem != null) throw new Error(`backend tfjs-node was requested but ${problem}; use --backend wasm or cpu`);
  }
  if (!(await activate(name))) throw new Error(`backend ${preference} was requested but failed to initialise`);
  return { name, preference, reason: `${preference}: requested; using ${KERNEL_NOTE[name]}` };
}

async function chooseAuto(): Promise<BackendChoice> {
  const nodeProblem = loadTfjsNode();
  if (nodeProblem == null && (await activate('tensorflow'))) {
    return { name: 'tensorflow', preference: 'auto', reason: `auto: ${TFJS_NODE} is installed; using ${KERNEL_NOTE.tensorflow}` };
  }
  const why = nodeProblem ?? `${TFJS_NODE} failed to initialise`;
  if (await activate('wasm')) {
    return { name: 'wasm', preference: 'auto', reason: `auto: ${why}; using ${KERNEL_NOTE.wasm}` };
  }
  if (await activate('cpu')) {
    return { name: 'cpu', preference: 'auto', reason: `auto: ${why} and wasm failed to initialise; using ${KERNEL_NOTE.cpu}` };
  }
  throw new Error('auto: no tfjs backend could be initialised (tried tfjs-node, wasm, cpu)');
}

let current: BackendChoice | undefined;

/**
 * Initialises the backend for `preference` (default 'auto'). An explicitly requested backend that
 * is unavailable throws; there is no silent fallback. Repeated calls with the same preference
 * return the existing choice at once.
 */
export async function initBackend(preference: BackendPreference | string = 'auto'): Promise<BackendChoice> {
  const wanted = parseBackendPreference(preference, 'backend preference');
  if (current != null && current.preference === wanted && tf.getBackend() === current.name) return current;
  current = wanted === 'auto' ? await chooseAuto() : await chooseExplicit(wanted);
  return current;
}
