/**
 * Times the conv kernel calls, forward passes and full training steps of a CVAE-like model
 * (src/bench/cvae-like-model.ts), stock tfjs vs this package's kernels, on wasm and cpu.
 * Not part of the library build or the npm package (tsconfig.lib.json excludes src/bench).
 * Usage (from the workspace root):
 *   npx esbuild --bundle --platform=node --external:@tensorflow/* \
 *     packages/tfjs-kernels/src/bench/bench-kernels.ts --outfile=tmp/bench-kernels.js
 *   node tmp/bench-kernels.js [wasm|cpu] [stock|cvae] [steps] [batch] [kernels|forward|step|profile|all]
 * `forward` times the model's loss without gradients (what stock wasm can run); `step` one Adam
 * training step (stock wasm throws: it has no Conv2DBackpropFilter); `profile` prints tf.profile's
 * per-kernel totals for one training step; `all` = kernels + forward + step. BENCH_REPEATS (default 9)
 * sets the timed runs; a call whose warm-up run takes over 5 s is timed by that one run.
 */
import * as os from 'os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { getKernel, KernelBackend, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { convKernelsDescription, registerTrainingKernels } from '../register';
import { buildCvaeLike, cvaeLoss, syntheticBatch } from './cvae-like-model';
import { ConvCase, convKernelCall } from '../test-utils/kernel-harness';

type ConvKernel = 'Conv2D' | 'Conv2DBackpropFilter' | 'Conv2DBackpropInput';

interface BenchCall {
  kernel: ConvKernel;
  label: string;
  conv: ConvCase;
}

/** Every conv kernel call of one CVAE training step at batch 100, as forward-conv geometries. */
function cvaeCalls(batch: number): BenchCall[] {
  const c = (label: string, xShape: ConvCase['xShape'], filterShape: ConvCase['filterShape'], strides: number, pad: 'same' | 'valid'): ConvCase => ({ label, xShape, filterShape, strides, pad });
  const enc1 = c('enc1 28x28x1->32 s2 valid', [batch, 28, 28, 1], [3, 3, 1, 32], 2, 'valid');
  const enc2 = c('enc2 13x13x32->64 s2 valid', [batch, 13, 13, 32], [3, 3, 32, 64], 2, 'valid');
  // A Conv2DTranspose is the Conv2DBackpropInput of the conv from its output to its input.
  const dec1 = c('dec1 7x7x32->14x14x64 (T)', [batch, 14, 14, 64], [3, 3, 64, 32], 2, 'same');
  const dec2 = c('dec2 14x14x64->28x28x32 (T)', [batch, 28, 28, 32], [3, 3, 32, 64], 2, 'same');
  const dec3 = c('dec3 28x28x32->28x28x1 (T)', [batch, 28, 28, 1], [3, 3, 1, 32], 1, 'same');
  const calls: BenchCall[] = [];
  for (const conv of [enc1, enc2, dec1, dec2, dec3]) {
    const isTranspose = conv.label.includes('(T)');
    calls.push({ kernel: isTranspose ? 'Conv2DBackpropInput' : 'Conv2D', label: `${conv.label} forward`, conv });
    calls.push({ kernel: 'Conv2DBackpropFilter', label: `${conv.label} dW`, conv });
    if (conv !== enc1) calls.push({ kernel: isTranspose ? 'Conv2D' : 'Conv2DBackpropInput', label: `${conv.label} dInput`, conv });
  }
  return calls;
}

interface Timing {
  median: number;
  min: number;
  /** Median CPU time (user + system) of this process: less sensitive to other jobs on the machine than wall time. */
  cpuMedian: number;
  runs: number;
}

/** A call whose warm-up run takes longer than this is timed by that one run (stock cpu conv gradients take minutes). */
const SLOW_WARMUP_MS = 5000;

/** Wall-clock median and minimum and CPU-time median of `repeats` runs after one warm-up. */
function timeMs(fn: () => void, repeats: number): Timing {
  const times: number[] = [];
  const cpu: number[] = [];
  const timed = (): void => {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpuStart);
    cpu.push((used.user + used.system) / 1e3);
  };
  timed();
  if (times[0] > SLOW_WARMUP_MS) return { median: times[0], min: times[0], cpuMedian: cpu[0], runs: 1 };
  times.length = 0;
  cpu.length = 0;
  for (let i = 0; i < repeats; i++) timed();
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { median: median(times), min: Math.min(...times), cpuMedian: median(cpu), runs: repeats };
}

function fmt(t: Timing): string {
  return `${t.median.toFixed(1).padStart(8)} ms median (min ${t.min.toFixed(1)}, cpu ${t.cpuMedian.toFixed(1)}, ${t.runs} runs)`;
}

function benchKernels(backendName: string, repeats: number, batch: number): void {
  for (const call of cvaeCalls(batch)) {
    const { inputs, attrs } = convKernelCall(call.kernel, call.conv, 1);
    const kernel = getKernel(call.kernel, backendName);
    if (kernel == null) {
      console.log(`${call.kernel.padEnd(21)} ${call.label.padEnd(40)} not registered`);
      continue;
    }
    // Inputs are written once so the timing covers the kernel alone.
    const backend = tf.findBackend(backendName) as KernelBackend;
    const infos: Record<string, TensorInfo> = {};
    for (const [name, t] of Object.entries(inputs)) infos[name] = { dataId: backend.write(t.values, t.shape, 'float32'), shape: t.shape, dtype: 'float32' };
    const ms = timeMs(() => {
      const out = kernel.kernelFunc({ inputs: infos, backend, attrs: attrs as NamedAttrMap }) as TensorInfo;
      backend.disposeData(out.dataId);
    }, repeats);
    for (const info of Object.values(infos)) backend.disposeData(info.dataId);
    console.log(`${call.kernel.padEnd(21)} ${call.label.padEnd(40)} ${fmt(ms)}`);
  }
}

/** The model's loss without gradients: encoder (2 Conv2D) and decoder (3 Conv2DTranspose = Conv2DBackpropInput). */
function benchForward(repeats: number, batch: number): void {
  const model = buildCvaeLike(2, 1);
  const { x, eps } = syntheticBatch(batch, 2, 3);
  const ms = timeMs(() => {
    const loss = cvaeLoss(model, x, eps);
    loss.dataSync();
    loss.dispose();
  }, repeats);
  console.log(`forward pass (loss, no gradients; batch ${batch}, latent 2): ${fmt(ms)}`);
  tf.dispose([x, eps]);
}

function benchStep(steps: number, batch: number, profile: boolean): Promise<void> | void {
  const model = buildCvaeLike(2, 1);
  const { x, eps } = syntheticBatch(batch, 2, 3);
  const optimizer = tf.train.adam(1e-4);
  const step = (): void => {
    const loss = optimizer.minimize(() => cvaeLoss(model, x, eps), true, model.variables);
    loss?.dataSync();
    loss?.dispose();
  };
  const done = (): void => {
    tf.dispose([x, eps]);
    optimizer.dispose();
  };
  try {
    step(); // stock wasm throws here (no Conv2DBackpropFilter)
  } catch (error) {
    console.log(`full training step (batch ${batch}, latent 2): throws: ${(error as Error).message}`);
    done();
    return;
  }
  if (profile) return profileStep(step, steps, done);
  const ms = timeMs(step, steps);
  console.log(`full training step (batch ${batch}, latent 2, Adam): ${fmt(ms)}; tensors ${tf.memory().numTensors}`);
  done();
}

/** Per-kernel totals (ms, calls) of one step via tf.profile, median over `steps` profiled steps. */
async function profileStep(step: () => void, steps: number, done: () => void): Promise<void> {
  step();
  const perKernel = new Map<string, { ms: number[]; calls: number }>();
  for (let i = 0; i < steps; i++) {
    const info = await tf.profile(step);
    const totals = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const t = totals.get(k.name) ?? { ms: 0, calls: 0 };
      t.ms += Number(k.kernelTimeMs);
      t.calls++;
      totals.set(k.name, t);
    }
    for (const [name, t] of totals) {
      const entry = perKernel.get(name) ?? { ms: [], calls: t.calls };
      entry.ms.push(t.ms);
      perKernel.set(name, entry);
    }
  }
  const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const rows = [...perKernel].map(([name, e]) => ({ name, ms: median(e.ms), calls: e.calls })).sort((a, b) => b.ms - a.ms);
  let total = 0;
  for (const r of rows) {
    total += r.ms;
    console.log(`${r.name.padEnd(24)} ${r.ms.toFixed(1).padStart(7)} ms  ${String(r.calls).padStart(4)} calls`);
  }
  console.log(`sum of kernel medians: ${total.toFixed(1)} ms`);
  done();
}

async function main(): Promise<void> {
  const [backendName = 'wasm', variant = 'cvae', stepsArg = '5', batchArg = '100', mode = 'all'] = process.argv.slice(2);
  const batch = Number(batchArg);
  await tf.setBackend(backendName);
  await tf.ready();
  if (variant === 'cvae') registerTrainingKernels(backendName);
  const repeats = Number(process.env['BENCH_REPEATS'] ?? 9); // calls slower than SLOW_WARMUP_MS (stock cpu gradients) run once
  const loadAverage = (): string => os.loadavg().map((l: number) => l.toFixed(2)).join(' ');
  const build = variant === 'cvae' ? ` (${convKernelsDescription(backendName)})` : '';
  console.log(`backend ${backendName}, ${variant} kernels${build}, batch ${batch}; node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? '?'})`);
  console.log(`load average ${loadAverage()}`);
  if (mode === 'all' || mode === 'kernels') benchKernels(backendName, repeats, batch);
  if (mode === 'all' || mode === 'forward') benchForward(repeats, batch);
  if ((mode === 'all' || mode === 'step' || mode === 'profile') && Number(stepsArg) > 0) await benchStep(Number(stepsArg), batch, mode === 'profile');
  console.log(`load average at the end ${loadAverage()}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
