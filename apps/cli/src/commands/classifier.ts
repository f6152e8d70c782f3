import * as path from 'path';
import { InvalidArgumentError, Option } from 'commander';
import { Binarization, ImageSet, RawImageSet, Split, channelsOf, loadRawImages, preprocess } from '@cvae/dataset';
import { workspaceRelative } from '@cvae/formats';
import { DEFAULT_TRAIN_CONFIG, TrainProgress, defaultClassifierDir, manifestFor, saveClassifier, trainClassifier } from '@cvae/classifier';
import { BackendPreference, initBackend } from '@cvae/tfjs-kernels';
import type { CliCommand, Io } from '../command';
import { UsageError } from '../errors';
import { backendOption, choiceOption, dataDirOption, integer, positiveNumber, seedOption, workersOption } from '../options';

/** How the classifier sees pixels: binarized at 0.5 (as a Bernoulli CVAE sees its data) or 8-bit levels / 255 (as a discretized-logistic one). */
const PIXELS = ['binarized', 'levels'] as const;
type Pixels = (typeof PIXELS)[number];

type ClassifierTrainOptions = {
  dataDir?: string;
  out?: string;
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  lrDecay: number;
  maxShift: number;
  pixels?: Pixels;
  limit?: number;
  testLimit?: number;
  workers: number;
  backend?: BackendPreference;
  shape?: [number, number, 1 | 3];
};

const defaults = DEFAULT_TRAIN_CONFIG;

export const classifierTrainCommand: CliCommand<ClassifierTrainOptions> = {
  path: ['classifier', 'train'],
  summary: 'Train the classifier of a labelled dataset that sample quality (FID, class coverage) is measured with; writes model.json, weights.bin and manifest.json.',
  define: (command) =>
    command
      .addOption(dataDirOption())
      .addOption(new Option('--out <DIR>', 'classifier directory (default: classifiers/mnist, or classifiers/<data-dir name> with --data-dir)'))
      .addOption(seedOption('weight init, shuffles and shifts; same seed + backend + workers = same weights').default(1))
      .addOption(new Option('--epochs <N>', 'epochs over the training set').argParser(integer(1, 1000)).default(defaults.epochs))
      .addOption(new Option('--batch-size <N>', 'images per step').argParser(integer(1, 60_000)).default(defaults.batchSize))
      .addOption(new Option('--lr <RATE>', 'Adam learning rate').argParser(positiveNumber).default(defaults.learningRate))
      .addOption(new Option('--lr-decay <F>', 'learning-rate factor per epoch (epoch e uses lr · F^(e−1))').argParser(decayFactor).default(defaults.lrDecay))
      .addOption(new Option('--max-shift <PX>', 'largest random shift of a training image, pixels each way (0: no augmentation)').argParser(integer(0, 8)).default(defaults.maxShift))
      .addOption(
        choiceOption('--pixels <P>', 'what the classifier sees: binarized at 0.5 (a Bernoulli CVAE\'s data) or levels / 255 (a discretized-logistic CVAE\'s); default: binarized for 1-channel data, levels for RGB', PIXELS),
      )
      .addOption(new Option('--shape <HxWxC>', 'an image folder resized to this shape, e.g. 32x32x3: the input shape of the models it will judge (default: the images\' own)').argParser(imageShape))
      .addOption(new Option('--limit <N>', 'train on the first N training images only (default: all)').argParser(integer(1)))
      .addOption(new Option('--test-limit <N>', 'measure accuracy on the first N test images only (default: all)').argParser(integer(1)))
      .addOption(workersOption('computing gradients'))
      .addOption(backendOption()),
  async run(options, _operands, io) {
    const out = path.resolve(options.out ?? defaultClassifierDir(options.dataDir === undefined ? 'mnist' : path.basename(path.resolve(options.dataDir))));
    const { train, test } = labelledSplits(options);
    const backend = await initBackend(options.backend);
    const config = { seed: options.seed, epochs: options.epochs, batchSize: options.batchSize, learningRate: options.lr, lrDecay: options.lrDecay, maxShift: options.maxShift, workers: options.workers };
    const shape = `${train.height}×${train.width}×${channelsOf(train)}`;
    io.stderr(`classifier: ${train.count} training and ${test.count} test images (${shape}, ${describePixels(train.binarization)}), ${config.epochs} epochs, ${config.workers} threads, ${backend.name}\n`);
    const trained = await trainClassifier(train, test, config, progressPrinter(io));
    try {
      for (const epoch of trained.history) io.stdout(`epoch ${epoch.epoch}: loss ${epoch.loss.toFixed(4)}, test accuracy ${percent(epoch.testAccuracy)}\n`);
      const command = reproducingCommand(options, out);
      const imageOptions = options.shape === undefined ? {} : { shape: options.shape };
      await saveClassifier(out, trained.classifier, manifestFor(trained, { dataDir: options.dataDir, imageOptions, train, test, command }));
      const { classes } = trained.classifier.architecture;
      io.stdout(`wrote ${workspaceRelative(out)}: ${classes} classes, test accuracy ${percent(trained.testAccuracy)} on ${test.count} images, trained in ${minutes(trained.elapsedMs)}\n`);
      return 0;
    } finally {
      trained.classifier.dispose();
    }
  },
};

/**
 * Both splits at the dataset's own shape, preprocessed as --pixels says (by default as the CVAE of
 * such data sees it: binarized grey, levels of RGB); an unlabelled image folder is a usage error.
 */
function labelledSplits(options: ClassifierTrainOptions): Record<Split, ImageSet> {
  const raw = (split: Split) => loadRawImages(split, { dataDir: options.dataDir, ...(options.shape === undefined ? {} : { shape: options.shape }) });
  const [train, test] = [raw('train'), raw('test')];
  if (train.classes !== undefined && train.classes.length === 0) {
    const dir = options.dataDir ?? '';
    throw new UsageError(`${dir} has no classes: a classifier needs a labelled dataset (${dir}/<class>/*.png)`);
  }
  const binarization = binarizationOf(options.pixels ?? defaultPixels(train));
  return { train: preprocess(train, binarization, options.limit), test: preprocess(test, binarization, options.testLimit) };
}

function defaultPixels(raw: RawImageSet): Pixels {
  return channelsOf(raw) === 1 ? 'binarized' : 'levels';
}

function binarizationOf(pixels: Pixels): Binarization {
  return pixels === 'binarized' ? 0.5 : 'none';
}

function describePixels(binarization: Binarization): string {
  return binarization === 'none' ? 'levels' : `binarized at ${binarization}`;
}

/** Every flag that decides the weights, with its value: the command the manifest records. */
function reproducingCommand(options: ClassifierTrainOptions, out: string): string {
  const flags = [
    options.dataDir === undefined ? '' : `--data-dir ${workspaceRelative(path.resolve(options.dataDir))}`,
    `--seed ${options.seed} --epochs ${options.epochs} --batch-size ${options.batchSize} --lr ${options.lr} --lr-decay ${options.lrDecay} --max-shift ${options.maxShift}`,
    options.pixels === undefined ? '' : `--pixels ${options.pixels}`,
    options.shape === undefined ? '' : `--shape ${options.shape.join('x')}`,
    options.limit === undefined ? '' : `--limit ${options.limit}`,
    options.testLimit === undefined ? '' : `--test-limit ${options.testLimit}`,
    `--workers ${options.workers} --backend ${options.backend ?? 'auto'} --out ${workspaceRelative(out)}`,
  ];
  return ['npx cvae classifier train', ...flags.filter((f) => f !== '')].join(' ');
}

/** Progress with ETA on stderr: rewritten in place on a terminal, about every 10% of an epoch otherwise. */
function progressPrinter(io: Io): (p: TrainProgress) => void {
  let last = '';
  return (p) => {
    const decile = `${p.epoch}:${Math.floor((10 * p.step) / p.stepsPerEpoch)}`;
    if (!io.isTTY && decile === last) return;
    last = decile;
    const eta = p.etaMs === undefined ? '?' : minutes(p.etaMs);
    const line = `classifier epoch ${p.epoch}/${p.epochs}: step ${p.step}/${p.stepsPerEpoch}, loss ${p.loss.toFixed(4)}, ETA ${eta}`;
    io.stderr(io.isTTY ? `\r${line}${p.step === p.stepsPerEpoch ? '\n' : ''}` : `${line}\n`);
  };
}

function imageShape(raw: string): [number, number, 1 | 3] {
  const match = /^(\d+)x(\d+)x([13])$/.exec(raw);
  const [height, width] = match === null ? [0, 0] : [Number(match[1]), Number(match[2])];
  if (match !== null && height > 0 && width > 0) return [height, width, Number(match[3]) as 1 | 3];
  throw new InvalidArgumentError(`must be HEIGHTxWIDTHxCHANNELS with 1 or 3 channels, e.g. 32x32x3, got '${raw}'`);
}

function decayFactor(raw: string): number {
  const value = Number(raw);
  if (raw.trim() !== '' && value > 0 && value <= 1) return value;
  throw new InvalidArgumentError(`must be a number in (0, 1], got '${raw}'`);
}

function percent(fraction: number): string {
  return `${(100 * fraction).toFixed(2)}%`;
}

function minutes(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
