import { Option } from 'commander';
import { benchmarkTraining, BenchmarkResult } from '@cvae/training';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand } from '../command';
import { formatTable } from '../format';
import { backendOption, integer, jsonOption, workersOption } from '../options';

type BenchOptions = { backend?: BackendPreference; batchSize: number; latentDim: number; steps: number; warmup: number; workers: number; json?: boolean };

export const benchCommand: CliCommand<BenchOptions> = {
  path: ['bench'],
  summary: 'Measure training speed: warm-up, then timed training steps on real MNIST batches.',
  define: (command) =>
    command
      .addOption(backendOption())
      .addOption(new Option('--batch-size <N>', 'images per training step').argParser(integer(1, 60_000)).default(100))
      .addOption(new Option('--latent-dim <N>', 'latent dimensions').argParser(integer(1, 512)).default(2))
      .addOption(new Option('--steps <N>', 'timed steps').argParser(integer(1)).default(20))
      .addOption(new Option('--warmup <N>', 'untimed steps first').argParser(integer(0)).default(3))
      .addOption(workersOption('computing gradients (use 1 with tfjs-node, which is multi-threaded itself)'))
      .addOption(jsonOption()),
  async run(options, _operands, io) {
    const { batchSize, latentDim, steps, warmup, workers } = options;
    const result = await benchmarkTraining({ backend: options.backend ?? 'auto', batchSize, latentDim, steps, warmup, workers });
    io.stdout(options.json ? `${JSON.stringify(result)}\n` : `${benchTable(result)}\n`);
    return 0;
  },
};

function benchTable(r: BenchmarkResult): string {
  return formatTable(
    ['backend', 'conv kernels', 'workers', 'ms/step (median)', 'ms/image', 'images/s', 'peak RSS MB'],
    [[r.backend, r.convKernels, String(r.workers), r.msPerStepMedian.toFixed(1), r.msPerImage.toFixed(3), r.imagesPerSecond.toFixed(0), r.peakRssMb.toFixed(0)]],
  );
}
