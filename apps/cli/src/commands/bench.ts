import { benchmarkTraining, BenchmarkResult } from '@cvae/training';
import { parseBackendPreference } from '@cvae/tfjs-kernels';
import { intOption, stringOption } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { formatTable } from '../format';
import { BACKEND_OPTION, workersFlag, WORKERS_OPTION } from './backend-option';

export const benchCommand: Command = {
  path: ['bench'],
  summary: 'Measure training speed: warm-up, then timed training steps on real MNIST batches.',
  options: {
    backend: BACKEND_OPTION,
    'batch-size': { type: 'string', value: 'N', description: 'images per training step', default: '100' },
    'latent-dim': { type: 'string', value: 'N', description: 'latent dimensions', default: '2' },
    steps: { type: 'string', value: 'N', description: 'timed steps', default: '20' },
    warmup: { type: 'string', value: 'N', description: 'untimed steps first', default: '3' },
    workers: WORKERS_OPTION,
    json: { type: 'boolean', description: 'print one JSON object' },
  },
  async run(options, _positionals, io) {
    const backend = backendFlag(stringOption(options, 'backend'));
    const result = await benchmarkTraining({
      backend,
      batchSize: intOption(options, 'batch-size', 1, 60000) as number,
      latentDim: intOption(options, 'latent-dim', 1, 512) as number,
      steps: intOption(options, 'steps', 1) as number,
      warmup: intOption(options, 'warmup', 0) as number,
      workers: workersFlag(options),
    });
    io.stdout(options.json ? `${JSON.stringify(result)}\n` : `${benchTable(result)}\n`);
    return 0;
  },
};

/** Validates --backend (falling back to CVAE_BACKEND, then auto); a bad value is a usage error. */
export function backendFlag(flag: string | undefined): string {
  try {
    if (flag !== undefined) return parseBackendPreference(flag, '--backend');
    return parseBackendPreference(process.env.CVAE_BACKEND ?? 'auto', 'CVAE_BACKEND');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function benchTable(r: BenchmarkResult): string {
  return formatTable(
    ['backend', 'conv kernels', 'workers', 'ms/step (median)', 'ms/image', 'images/s', 'peak RSS MB'],
    [[r.backend, r.convKernels, String(r.workers), r.msPerStepMedian.toFixed(1), r.msPerImage.toFixed(3), r.imagesPerSecond.toFixed(0), r.peakRssMb.toFixed(0)]],
  );
}
