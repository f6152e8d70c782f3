import * as path from 'path';
import { InvalidArgumentError, Option } from 'commander';
import { describeIdentity } from '@cvae/dataset';
import { IMAGE_SET_KINDS, ImageSetSpec, loadForEvaluation, renderImageSet, testSetOf } from '@cvae/evaluation';
import { writePng } from '@cvae/images';
import type { BackendPreference } from '@cvae/tfjs-kernels';
import type { CliCommand } from '../command';
import { UsageError } from '../errors';
import { backendOption, checkpointOption, choiceOption, dataDirOption, existingCheckpoint, integer, seedOption } from '../options';

const DEFAULT_GRID: Record<ImageSetSpec['kind'], number> = { prior: 8, recon: 10, manifold: 20, scatter: 1 };

type SampleOptions = { checkpoint: string; kind: ImageSetSpec['kind']; seed: number; grid?: number; out: string; backend?: BackendPreference; dataDir?: string };

export const sampleCommand: CliCommand<SampleOptions> = {
  path: ['sample'],
  summary: 'Render a seeded image set from a checkpoint to a PNG: prior samples, reconstructions, the latent manifold or a latent scatter.',
  // Every input is required here, the checkpoint too: a sample names exactly what it was drawn from.
  define: (command) =>
    command
      .addOption(checkpointOption({ required: true }))
      .addOption(choiceOption('--kind <KIND>', 'what to render', IMAGE_SET_KINDS).makeOptionMandatory())
      .addOption(seedOption('the prior draws (recorded for every kind)').makeOptionMandatory())
      .addOption(new Option('--grid <N>', 'prior/manifold: N×N tiles (default 8/20); recon: first N test images (default 10)').argParser(integer(1, 64)))
      .addOption(new Option('--out <FILE>', 'PNG to write').argParser(pngFile).makeOptionMandatory())
      .addOption(backendOption())
      .addOption(dataDirOption('test images of recon/scatter; default: the dataset the checkpoint was trained on')),
  async run(options, _operands, io) {
    const { kind, seed, out } = options;
    const grid = options.grid ?? DEFAULT_GRID[kind];
    const loaded = await loadForEvaluation({ checkpoint: existingCheckpoint(options.checkpoint), backend: options.backend, dataDir: options.dataDir });
    try {
      if (kind === 'manifold' && loaded.model.latentDim < 2) throw new UsageError(`--kind manifold needs a checkpoint with latentDim 2 or more, this one has ${loaded.model.latentDim}`);
      const needsTestImages = kind === 'recon' || kind === 'scatter';
      const image = renderImageSet(loaded.model, { kind, seed, grid }, needsTestImages ? testSetOf(loaded, loaded.model) : undefined);
      await writePng(path.resolve(out), image);
      io.stdout(`wrote ${out} (${kind}, seed ${seed}, grid ${grid}, ${image.width}×${image.height}, backend ${loaded.backend}, dataset ${describeIdentity(loaded.dataset)})\n`);
      return 0;
    } finally {
      loaded.model.dispose();
    }
  },
};

function pngFile(raw: string): string {
  if (raw.toLowerCase().endsWith('.png')) return raw;
  throw new InvalidArgumentError(`must name a .png file, got '${raw}'`);
}
