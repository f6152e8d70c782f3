/**
 * The noise of every compute path we ship, measured on an unchanged checkpoint: how far each path's
 * rendering of a suite's goldens is from the goldens (max Δ gray levels, differing pixels) and how far
 * its gate metrics are from the baseline. Each path runs in its own process, because a path is fixed
 * at a process's first convolution (conv.wasm build, XNNPACK, backend). The evidence goes to the
 * suite's noise.json; suite.json's tolerances and noise levels are derived from it (see tolerances.ts).
 */
import { spawn } from 'child_process';
import * as path from 'path';
import type { NoiseEvidence } from '@cvae/formats';
import type { ProbeRequest } from './noise-probe';

export type PathNoise = NoiseEvidence['paths'][number];

export interface ComputePath {
  /** For people and noise.json: what computes. */
  name: string;
  backend: 'wasm' | 'cpu';
  env: Record<string, string>;
  /** Measure the metrics on the first N gate images only (the cpu backend is ~20× slower than wasm). */
  metricsImages?: number;
}

/** Every path a user can end up on without tfjs-node: conv.wasm with and without FMA, XNNPACK/im2col, the cpu backend. */
export const COMPUTE_PATHS: readonly ComputePath[] = [
  { name: 'wasm, conv.wasm simd128-fma', backend: 'wasm', env: { CVAE_WASM_FMA: '', CVAE_WASM_CONV: '' } },
  { name: 'wasm, conv.wasm simd128', backend: 'wasm', env: { CVAE_WASM_FMA: '0', CVAE_WASM_CONV: '' } },
  { name: 'wasm, xnnpack + im2col', backend: 'wasm', env: { CVAE_WASM_FMA: '', CVAE_WASM_CONV: 'xnnpack' } },
  { name: 'cpu, im2col (JS)', backend: 'cpu', env: { CVAE_WASM_FMA: '', CVAE_WASM_CONV: '' }, metricsImages: 1000 },
];

export interface MeasureNoiseOptions {
  suiteDir: string;
  checkpoint: string;
  dataDir?: string;
  paths?: readonly ComputePath[];
  /** Also measure the gate metrics on each path (slow on cpu: thousands of images). */
  metrics: boolean;
  workers?: number;
  onPath?: (path: ComputePath, index: number, total: number) => void;
}

export async function measureNoise(options: MeasureNoiseOptions): Promise<PathNoise[]> {
  const paths = options.paths ?? COMPUTE_PATHS;
  const results: PathNoise[] = [];
  for (const [index, computePath] of paths.entries()) {
    options.onPath?.(computePath, index, paths.length);
    const request: ProbeRequest = {
      suiteDir: options.suiteDir,
      checkpoint: options.checkpoint,
      dataDir: options.dataDir,
      backend: computePath.backend,
      metrics: options.metrics,
      metricsImages: computePath.metricsImages,
      workers: options.workers ?? 1,
    };
    const { kernels: _kernels, ...measured } = await runProbe(request, computePath.env);
    results.push({ path: computePath.name, ...measured });
  }
  return results;
}

/** Runs noise-probe in a child process: the built .js, or the .ts source under tsx (tests). */
function runProbe(request: ProbeRequest, env: Record<string, string>): Promise<Omit<PathNoise, 'path'> & { kernels: string }> {
  const fromSources = __filename.endsWith('.ts');
  const entry = path.join(__dirname, `noise-probe.${fromSources ? 'ts' : 'js'}`);
  const execArgv = fromSources ? ['--require', require.resolve('tsx/cjs')] : [];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...(fromSources ? { TSX_TSCONFIG_PATH: path.resolve(__dirname, '..', '..', '..', 'tsconfig.base.json') } : {}) };
  for (const [name, value] of Object.entries(env)) {
    if (value === '') delete childEnv[name];
    else childEnv[name] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...execArgv, entry, JSON.stringify(request)], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`noise probe (${request.backend}, ${JSON.stringify(env)}) failed: ${stderr.trim().split('\n')[0] || `exit ${code}`}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop() as string) as Omit<PathNoise, 'path'> & { kernels: string });
    });
  });
}
