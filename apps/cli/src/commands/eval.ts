import * as path from 'path';
import { Option } from 'commander';
import type { LoadedClassifier } from '@cvae/classifier';
import { describeIdentity } from '@cvae/dataset';
import { EvalProgress, Metrics, evaluateModel, loadForEvaluation, qualityReplicas, testSetOf } from '@cvae/evaluation';
import type { DatasetLabel } from '@cvae/formats';
import { bitsPerDim, describeArchitecture, likelihoodOf } from '@cvae/model';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand, Io } from '../command';
import { formatTable } from '../format';
import { backendOption, checkpointOption, dataDirOption, existingCheckpoint, integer, jsonOption, seedOption, workersOption } from '../options';
import { QualityFlags, classifierOfDataset, classifierOption, existingClassifier, measureQuality, qualitySampleCount, qualitySamplesOption, qualitySkippedLine, qualityTable } from './eval-quality';

const TEST_IMAGES = 10_000;

type EvalOptions = {
  checkpoint: string;
  limit?: number;
  iwSamples: number;
  seed: number;
  backend?: BackendPreference;
  workers: number;
  json?: boolean;
  dataDir?: string;
} & QualityFlags;

export const evalCommand: CliCommand<EvalOptions> = {
  path: ['eval'],
  summary: 'Evaluate a checkpoint on its test set (the dataset it was trained on, or --data-dir): ELBO (± standard error), KL, reconstruction MSE and cross-entropy, optional IWAE.',
  define: (command) =>
    command
      .addOption(checkpointOption())
      .addOption(new Option('--limit <N>', `evaluate the first N test images (default: all ${TEST_IMAGES})`).argParser(integer(1, TEST_IMAGES)))
      .addOption(
        new Option('--iw-samples <K>', 'importance samples for the IWAE log p(x) bound; 64 is the usual choice, 0 skips it (slow: K decoder passes per image)')
          .argParser(integer(0, 10_000))
          .default(0),
      )
      .addOption(seedOption('the eps draws').default(0))
      .addOption(backendOption())
      .addOption(workersOption('evaluating (the numbers do not depend on it)'))
      .addOption(dataDirOption('default: the dataset the checkpoint was trained on'))
      .addOption(jsonOption())
      .addOption(qualitySamplesOption())
      .addOption(classifierOption()),
  async run(options, _operands, io) {
    const { limit, iwSamples, seed, workers } = options;
    const checkpoint = existingCheckpoint(options.checkpoint);
    const qualitySamples = qualitySampleCount(options, limit);
    const explicitClassifier = qualitySamples > 0 && options.classifier !== undefined ? existingClassifier(options.classifier) : undefined;
    const loaded = await loadForEvaluation({ checkpoint, backend: options.backend, dataDir: options.dataDir });
    const replicas = qualityReplicas(loaded.model, workers);
    let classifier: LoadedClassifier | undefined;
    try {
      classifier = qualitySamples > 0 ? await classifierOfDataset(explicitClassifier, loaded.dataDir, loaded.model.inputShape) : undefined;
      const testSet = testSetOf(loaded, loaded.model, limit);
      const metrics = await evaluateModel(loaded.model, testSet, { seed, iwSamples, replicas, onProgress: progressPrinter(io) });
      const quality = classifier && (await measureQuality(classifier, { loaded, replicas, testSet, samples: qualitySamples, seed }, io));
      const dims = loaded.model.pixelsPerImage;
      const bits = { dims, elbo: bitsPerDimOf(metrics.elbo, dims), ...(metrics.iwae ? { iwae: bitsPerDimOf(metrics.iwae, dims) } : {}) };
      const model = { architecture: describeArchitecture(loaded.model.architecture), likelihood: likelihoodOf(loaded.model.architecture).kind };
      const result = { checkpoint: path.resolve(checkpoint), backend: loaded.backend, kernels: loaded.kernels, dataset: loaded.dataset, model, workers, ...metrics, bitsPerDim: bits, ...(quality ? { sampleQuality: quality } : {}) };
      // No classifier of this dataset: every metric still counts; one line says what is missing (on stderr beside --json's object).
      const skipped = qualitySamples > 0 && classifier === undefined ? `${qualitySkippedLine(loaded.dataDir, loaded.model.inputShape)}\n` : '';
      io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : humanReadable(result) + (quality ? `\n${qualityTable(quality)}` : skipped));
      if (options.json && skipped !== '') io.stderr(skipped);
      return 0;
    } finally {
      await replicas.close();
      loaded.model.dispose();
      classifier?.classifier.dispose();
    }
  },
};

/** Progress with ETA on stderr: rewritten in place on a terminal, about every 10% otherwise. */
export function progressPrinter(io: Io): (p: EvalProgress) => void {
  let lastDecile = -1;
  return (p) => {
    const decile = Math.floor((10 * p.done) / p.total);
    if (!io.isTTY && decile === lastDecile && p.done !== p.total) return;
    lastDecile = decile;
    const eta = p.etaMs === undefined ? '?' : `${(p.etaMs / 1000).toFixed(0)}s`;
    const line = `eval ${p.phase}: ${p.done}/${p.total} images (${Math.round((100 * p.done) / p.total)}%), ETA ${eta}`;
    io.stderr(io.isTTY ? `\r${line}${p.done === p.total ? '\n' : ''}` : `${line}\n`);
  };
}

/** −bound in bits per dimension (height·width·channels), with its standard error on the same scale. */
function bitsPerDimOf(bound: { mean: number; standardError: number }, dims: number): { mean: number; standardError: number } {
  return { mean: bitsPerDim(-bound.mean, dims), standardError: bitsPerDim(bound.standardError, dims) };
}

type EvalResult = Metrics & {
  checkpoint: string;
  backend: string;
  kernels: string;
  dataset: DatasetLabel;
  model: { architecture: string; likelihood: string };
  workers: number;
  bitsPerDim: { dims: number; elbo: { mean: number; standardError: number }; iwae?: { mean: number; standardError: number } };
};

function humanReadable(result: EvalResult): string {
  const row = (name: string, e: { mean: number; standardError: number }, unit: string) => [name, e.mean.toFixed(4), e.standardError.toFixed(4), unit];
  const rows = [
    row('ELBO (Monte Carlo)', result.elbo, 'nats/image'),
    row('KL(q(z|x) ‖ N(0,I))', result.kl, 'nats/image'),
    row('reconstruction MSE', result.reconstructionMse, 'per pixel'),
    row('reconstruction cross-entropy', result.reconstructionCrossEntropy, 'nats/image'),
    ...(result.iwae ? [row(`IWAE log p(x), k=${result.iwae.samples}`, result.iwae, 'nats/image')] : []),
    row('−ELBO', result.bitsPerDim.elbo, `bits/dim (${result.bitsPerDim.dims} dims)`),
    ...(result.bitsPerDim.iwae ? [row(`−IWAE, k=${result.iwae?.samples}`, result.bitsPerDim.iwae, 'bits/dim')] : []),
  ];
  return [
    `checkpoint: ${result.checkpoint}`,
    `dataset: ${describeIdentity(result.dataset)}`,
    `model: ${result.model.architecture}`,
    `backend: ${result.backend} (${result.kernels}), threads: ${result.workers}, images: ${result.images}, eps seed: ${result.seed}, ${(result.elapsedMs / 1000).toFixed(1)} s`,
    '',
    formatTable(['metric', 'mean', 'std error', 'unit'], rows),
    '',
  ].join('\n');
}
