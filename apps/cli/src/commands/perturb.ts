import { Option } from 'commander';
import { WEIGHT_PARTS, WeightPart, perturbCheckpoint } from '@cvae/evaluation';
import { initBackend } from '@cvae/tfjs-kernels';
import type { CliCommand } from '../command';
import { UsageError } from '../errors';
import { checkpointOption, choiceOption, existingCheckpoint, isDirectory, positiveNumber, seedOption } from '../options';

type PerturbOptions = { checkpoint: string; out: string; scale: number; seed: number; part: WeightPart };

export const perturbCommand: CliCommand<PerturbOptions> = {
  path: ['perturb'],
  summary: 'Write a copy of a checkpoint with multiplicative Gaussian noise on its weights (w·(1 + scale·n), seeded): proof that a suite catches a changed model.',
  define: (command) =>
    command
      .addOption(checkpointOption({ required: true }))
      .addOption(new Option('--out <DIR>', 'the checkpoint directory to write (must not exist)').makeOptionMandatory())
      .addOption(new Option('--scale <S>', 'relative size of the noise, e.g. 0.003 for 0.3%').argParser(positiveNumber).makeOptionMandatory())
      .addOption(seedOption('the noise').default(1))
      .addOption(choiceOption('--part <PART>', 'which weights', WEIGHT_PARTS).default('decoder')),
  async run(options, _operands, io) {
    if (isDirectory(options.out)) throw new UsageError(`--out ${options.out} already exists: choose another directory`);
    await initBackend('cpu');
    const manifest = await perturbCheckpoint(existingCheckpoint(options.checkpoint), options.out, { scale: options.scale, seed: options.seed, part: options.part });
    io.stdout(`wrote ${options.out}: ${options.part} weights × (1 + ${options.scale}·N(0,1)), seed ${options.seed} (from epoch ${manifest.epoch} of ${options.checkpoint})\n`);
    return 0;
  },
};
