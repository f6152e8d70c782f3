import * as path from 'path';
import { Option } from 'commander';
import { checkSuite, initSuite, remeasureNoise, updateGoldens } from '@cvae/evaluation';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand } from '../command';
import { backendOption, checkpointOption, dataDirOption, existingCheckpoint, integer, optionalCheckpoint, seedOption, suiteOption, workersOption } from '../options';
import { progressPrinter } from './eval';
import { ciMode, ciOption, noCiOption, printReport, reportOption } from './check';

type SuiteOptions = { suite: string; checkpoint?: string; backend?: BackendPreference; dataDir?: string };

export const goldenInitCommand: CliCommand<SuiteOptions & { checkpoint: string; gateImages?: number; seed: number; iwSamples: number; qualitySamples: number; noise: boolean; workers: number; description?: string }> = {
  path: ['golden', 'init'],
  summary: 'Create a suite from a checkpoint: goldens rendered, baseline metrics measured, noise of every compute path measured and tolerances derived, floors proposed.',
  define: (command) =>
    command
      .addOption(new Option('--suite <DIR>', 'the suite directory to create (must not exist)').makeOptionMandatory())
      .addOption(checkpointOption({ required: true }))
      .addOption(dataDirOption('default: the dataset the checkpoint was trained on'))
      .addOption(new Option('--gate-images <N>', 'gate on the first N test images (default: all)').argParser(integer(2)))
      .addOption(seedOption('the gates\' eps draws').default(0))
      .addOption(new Option('--iw-samples <K>', 'also gate the IWAE bound with K samples (0: not gated; slow)').argParser(integer(0, 10_000)).default(0))
      .addOption(new Option('--quality-samples <N>', 'prior samples of the sample-quality gate, when a classifier of the dataset exists (classifiers/mnist for MNIST); 0: no quality gate').argParser(integer(0, 1_000_000)).default(10_000))
      .addOption(new Option('--no-noise', 'skip measuring the other compute paths (tolerances then assume only this one)'))
      .addOption(new Option('--description <TEXT>', 'what the suite is for'))
      .addOption(backendOption())
      .addOption(workersOption('measuring')),
  async run(options, _operands, io) {
    const suite = await initSuite({
      suiteDir: options.suite,
      checkpoint: existingCheckpoint(options.checkpoint),
      dataDir: options.dataDir,
      backend: options.backend,
      workers: options.workers,
      gateImages: options.gateImages,
      seed: options.seed,
      iwSamples: options.iwSamples || undefined,
      qualitySamples: options.qualitySamples,
      measureNoise: options.noise,
      description: options.description,
      onProgress: (line) => io.stderr(`golden init: ${line}\n`),
      onEvalProgress: progressPrinter(io),
    });
    const quality = suite.quality ? `, a sample-quality gate (${suite.quality.samples} prior samples, classifier ${suite.quality.classifier.path})` : ', no sample-quality gate (no classifier of this dataset)';
    io.stdout(`created suite ${options.suite}: ${Object.keys(suite.images).length} goldens, ${Object.keys(suite.gates.metrics).length} gates on ${suite.gates.images} images${quality}\n`);
    io.stdout(`review the proposed floors and bounds in ${path.join(options.suite, 'suite.json')}, then: cvae check --suite ${options.suite}\n`);
    return 0;
  },
};

export const goldenUpdateCommand: CliCommand<SuiteOptions> = {
  path: ['golden', 'update'],
  summary: 'Re-render a suite\'s goldens and rewrite the named ones (default: those missing or changed, and remove obsolete ones); prints what changed.',
  define: (command) =>
    command
      .argument('[names...]', 'golden names from the suite\'s suite.json (default: all)')
      .addOption(suiteOption())
      .addOption(checkpointOption({ suiteDefault: true }))
      .addOption(dataDirOption('default: the suite\'s dataset'))
      .addOption(backendOption()),
  async run(options, names, io) {
    const checkpoint = optionalCheckpoint(options.checkpoint);
    const changes = await updateGoldens({ suiteDir: options.suite, names, checkpoint, backend: options.backend, dataDir: options.dataDir });
    for (const change of changes) io.stdout(`${change.status.padEnd(9)} ${change.name}: ${change.reason}\n`);
    return 0;
  },
};

export const goldenCheckCommand: CliCommand<SuiteOptions & { report?: string; ci?: boolean }> = {
  path: ['golden', 'check'],
  summary: 'Compare freshly rendered images with a suite\'s goldens (pixels only; cvae check adds the metric gates); writes the report and exits 1 on any mismatch or missing golden (it never writes goldens), and in CI mode on an obsolete one.',
  define: (command) =>
    command
      .addOption(suiteOption())
      .addOption(checkpointOption({ suiteDefault: true }))
      .addOption(reportOption())
      .addOption(dataDirOption('default: the suite\'s dataset'))
      .addOption(backendOption())
      .addOption(ciOption('an obsolete golden fails'))
      .addOption(noCiOption('obsolete goldens are only reported')),
  async run(options, _operands, io) {
    const checkpoint = optionalCheckpoint(options.checkpoint);
    const check = { suiteDir: options.suite, checkpoint, reportDir: options.report, dataDir: options.dataDir, backend: options.backend, pixelsOnly: true, ci: ciMode(options) };
    const { report, reportDir } = await checkSuite(check);
    printReport(report, reportDir, io);
    return report.passed ? 0 : 1;
  },
};



export const goldenNoiseCommand: CliCommand<SuiteOptions & { workers: number }> = {
  path: ['golden', 'noise'],
  summary: 'Measure every compute path (conv.wasm with/without FMA, XNNPACK, cpu) against a suite\'s goldens and baseline; writes noise.json and prints the tolerances it would derive.',
  define: (command) =>
    command
      .addOption(suiteOption())
      .addOption(checkpointOption({ suiteDefault: true }))
      .addOption(dataDirOption('default: the suite\'s dataset'))
      .addOption(workersOption('measuring')),
  async run(options, _operands, io) {
    const checkpoint = optionalCheckpoint(options.checkpoint);
    const { evidence, proposals } = await remeasureNoise({ suiteDir: options.suite, checkpoint, dataDir: options.dataDir, workers: options.workers, onProgress: (line) => io.stderr(`golden noise: ${line}\n`) });
    for (const p of evidence.paths) {
      const goldens = Object.entries(p.goldens).map(([name, g]) => `${name} max Δ ${g.maxDelta} (${g.differingPixels} px)`).join(', ');
      io.stdout(`${p.path}: ${goldens}\n`);
    }
    io.stdout(proposals.length === 0 ? 'suite.json agrees with the measured noise\n' : `derived from the measurement (edit suite.json to apply):\n${proposals.map((l) => `  ${l}`).join('\n')}\n`);
    return 0;
  },
};
