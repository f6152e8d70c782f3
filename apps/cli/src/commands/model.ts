import { MODEL_PRESETS, describeArchitecture, resolveModel } from '@cvae/model';
import type { CliCommand } from '../command';
import { formatTable } from '../format';
import { integer } from '../options';
import { Option } from 'commander';

export const modelShowCommand: CliCommand<{ latentDim?: number }> = {
  path: ['model', 'show'],
  summary: 'Print a preset or a model file as the JSON model file `cvae train --model FILE` reads (validated: shape errors name the layer), to start your own from.',
  define: (command) =>
    command
      .argument('<PRESET|FILE>', `a preset (${Object.keys(MODEL_PRESETS).join(', ')}) or a model file`)
      .addOption(new Option('--latent-dim <N>', 'resize the latent space (the encoder\'s last dense layer with it)').argParser(integer(1, 1024))),
  async run(options, [model], io) {
    io.stdout(`${JSON.stringify(resolveModel(model, options.latentDim), null, 2)}\n`);
    return 0;
  },
};

export const modelListCommand: CliCommand = {
  path: ['model', 'list'],
  summary: 'The model presets, each in one line of layers (c: conv, t: transposed conv, d: dense, f: flatten, r: reshape; /stride).',
  define: (command) => command,
  async run(_options, _operands, io) {
    const rows = Object.entries(MODEL_PRESETS).map(([name, preset]) => [name, preset.summary, describeArchitecture(preset.build())]);
    io.stdout(`${formatTable(['preset', 'what', 'layers'], rows)}\n`);
    return 0;
  },
};
