import * as path from 'path';
import { Option } from 'commander';
import { EvaluationSource, PerImageValues, evaluatePerImage, recordedDataset, testSetOf, withLoadedModel } from '@cvae/evaluation';
import { DEFAULT_MARGINS, METRIC_INFO, type DatasetIdentity, type Verdict, pairedDifference, verdictOf } from '@cvae/formats';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand, Io } from '../command';
import { UsageError } from '../errors';
import { formatTable } from '../format';
import { backendOption, existingCheckpoint, integer, jsonOption, seedOption, workersOption } from '../options';
import { progressPrinter } from './eval';

type CompareOptions = { baseline: string; candidate: string; images?: number; seed: number; backend?: BackendPreference; workers: number; json?: boolean };

/** The metrics every evaluation measures per image, in the order suites gate them. */
const METRICS = ['elbo', 'kl', 'reconstructionMse', 'reconstructionCrossEntropy'] as const;

interface Measured {
  source: EvaluationSource;
  perImage: PerImageValues;
  latentDim: number;
  inputShape: readonly number[];
}

export const compareCommand: CliCommand<CompareOptions> = {
  path: ['compare'],
  summary: 'Paired verdict of a candidate checkpoint against a baseline checkpoint, no suite needed (the viewer\'s run comparison): both evaluated on the same test images of the baseline\'s dataset with the same eps seed; per metric Δ ± SE and the verdict at the default margins; exit 0.',
  define: (command) =>
    command
      .addOption(new Option('--baseline <DIR>', 'the checkpoint to compare against').makeOptionMandatory())
      .addOption(new Option('--candidate <DIR>', 'the checkpoint being judged').makeOptionMandatory())
      .addOption(new Option('--images <N>', 'the first N test images of the baseline\'s dataset (default: all)').argParser(integer(2)))
      .addOption(seedOption('the eps draws, the same for both').default(0))
      .addOption(backendOption())
      .addOption(workersOption('evaluating (the numbers do not depend on it)'))
      .addOption(jsonOption()),
  async run(options, _operands, io) {
    const [baselineDir, candidateDir] = [existingCheckpoint(options.baseline), existingCheckpoint(options.candidate)];
    const baseline = await measure(baselineDir, options, undefined, io);
    const candidate = await measure(candidateDir, options, { dataset: recordedDataset(baseline.source), of: `baseline ${baselineDir}` }, io);
    if (baseline.inputShape.join('×') !== candidate.inputShape.join('×')) {
      throw new UsageError(`--candidate ${candidateDir} takes ${candidate.inputShape.join('×')} images, the baseline ${baseline.inputShape.join('×')}: they cannot be evaluated on the same images`);
    }
    const comparison = compare(baseline, candidate, options.seed);
    io.stdout(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : humanReadable(comparison));
    return 0;
  },
};

/** Evaluates one checkpoint per image on the (baseline's) test images with the shared eps seed. */
async function measure(checkpoint: string, options: CompareOptions, dataset: { dataset: DatasetIdentity; of: string } | undefined, io: Io): Promise<Measured> {
  const load = { checkpoint, backend: options.backend, dataset: dataset?.dataset, datasetOf: dataset?.of };
  return withLoadedModel(load, async (model, source) => {
    const set = testSetOf(source, model, options.images);
    if (options.images !== undefined && set.count < options.images) throw new UsageError(`--images ${options.images}: the test set has ${set.count}`);
    const { perImage } = await evaluatePerImage(model, set, { seed: options.seed, workers: options.workers, onProgress: progressPrinter(io) });
    return { source, perImage, latentDim: model.latentDim, inputShape: model.inputShape };
  });
}

interface MetricComparison {
  metric: string;
  label: string;
  unit: string;
  baseline: number;
  candidate: number;
  delta: number;
  standardError: number;
  unpairedStandardError: number;
  margin: number;
  verdict: Verdict;
}

interface Comparison {
  baseline: { checkpoint: string; weights: Record<string, string> };
  candidate: { checkpoint: string; weights: Record<string, string> };
  images: number;
  seed: number;
  /** 'eps': the same eps draws image by image; 'images': other latent sizes draw other eps, paired on images only. */
  pairing: 'eps' | 'images';
  metrics: MetricComparison[];
}

function compare(baseline: Measured, candidate: Measured, seed: number): Comparison {
  const metrics = METRICS.map((metric): MetricComparison => {
    const difference = pairedDifference(baseline.perImage[metric] as Float32Array, candidate.perImage[metric] as Float32Array);
    const info = METRIC_INFO[metric];
    const margin = DEFAULT_MARGINS[metric];
    const { delta, standardError, unpairedStandardError } = difference;
    // No measured noise between two checkpoints: unchanged only when equal (as the viewer's comparison).
    const verdict = verdictOf(difference, { margin, noise: 0 }, info.direction);
    return { metric, label: info.label, unit: info.unit, baseline: difference.baseline.mean, candidate: difference.candidate.mean, delta, standardError, unpairedStandardError, margin, verdict };
  });
  const ref = (m: Measured) => ({ checkpoint: m.source.checkpoint.path, weights: m.source.checkpoint.weights });
  const images = (baseline.perImage.elbo as Float32Array).length;
  return { baseline: ref(baseline), candidate: ref(candidate), images, seed, pairing: baseline.latentDim === candidate.latentDim ? 'eps' : 'images', metrics };
}

function humanReadable(c: Comparison): string {
  const pairing = c.pairing === 'eps' ? `the same eps draws (seed ${c.seed})` : `images only (other latent sizes: other eps draws, seed ${c.seed})`;
  const fixed = (value: number, metric: string) => value.toFixed(METRIC_INFO[metric].digits);
  const signed = (value: number, metric: string) => `${value >= 0 ? '+' : ''}${fixed(value, metric)}`;
  const rows = c.metrics.map((m) => [m.label, fixed(m.baseline, m.metric), fixed(m.candidate, m.metric), `${signed(m.delta, m.metric)} ± ${fixed(m.standardError, m.metric)}`, fixed(m.unpairedStandardError, m.metric), fixed(m.margin, m.metric), m.verdict]);
  const header = [
    `baseline:  ${path.normalize(c.baseline.checkpoint)}`,
    `candidate: ${path.normalize(c.candidate.checkpoint)}`,
    `paired over ${c.images.toLocaleString('en-US')} test images, on ${pairing}`,
  ];
  return `${header.join('\n')}\n${formatTable(['metric', 'baseline', 'candidate', 'Δ ± SE (paired)', 'SE unpaired', 'margin', 'verdict'], rows)}\n`;
}
