import * as path from 'path';
import { IMAGE_SET_KINDS, ImageSetSpec, loadForEvaluation, renderImageSet } from '@cvae/evaluation';
import { writePng } from '@cvae/images';
import { choiceOption, intOption, stringOption } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { BACKEND_OPTION, backendOption } from './backend-option';
import { checkpointOption } from './eval';

const DEFAULT_GRID: Record<ImageSetSpec['kind'], number> = { prior: 8, recon: 10, manifold: 20, scatter: 1 };

export const sampleCommand: Command = {
  path: ['sample'],
  summary: 'Render a seeded image set from a checkpoint to a PNG: prior samples, reconstructions, the latent manifold or a latent scatter.',
  options: {
    checkpoint: { type: 'string', value: 'DIR', description: 'checkpoint directory (required)' },
    kind: { type: 'string', value: 'KIND', description: `${IMAGE_SET_KINDS.join(' | ')} (required)` },
    seed: { type: 'string', value: 'S', description: 'seed of the prior draws (required; recorded for every kind)' },
    grid: { type: 'string', value: 'N', description: 'prior/manifold: N×N tiles (default 8/20); recon: first N test images (default 10)' },
    out: { type: 'string', value: 'FILE', description: 'PNG to write (required)' },
    backend: BACKEND_OPTION,
  },
  async run(options, _positionals, io) {
    for (const name of ['checkpoint', 'kind', 'seed', 'out']) {
      if (options[name] === undefined) throw new UsageError(`--${name} is required`);
    }
    const kind = required(choiceOption(options, 'kind', IMAGE_SET_KINDS), 'kind');
    const seed = required(intOption(options, 'seed', 0, 2 ** 32 - 1), 'seed');
    const grid = intOption(options, 'grid', 1, 64) ?? DEFAULT_GRID[kind];
    const out = required(stringOption(options, 'out'), 'out');
    if (!out.toLowerCase().endsWith('.png')) throw new UsageError(`--out must name a .png file, got '${out}'`);
    const backend = backendOption(options);
    const loaded = await loadForEvaluation({ checkpoint: checkpointOption(options), backend });
    try {
      if (kind === 'manifold' && loaded.model.latentDim !== 2) throw new UsageError(`--kind manifold needs a latentDim 2 checkpoint, this one has ${loaded.model.latentDim}`);
      const image = renderImageSet(loaded.model, { kind, seed, grid });
      await writePng(path.resolve(out), image);
      io.stdout(`wrote ${out} (${kind}, seed ${seed}, grid ${grid}, ${image.width}×${image.height}, backend ${loaded.backend})\n`);
      return 0;
    } finally {
      loaded.model.dispose();
    }
  },
};

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  return value;
}
