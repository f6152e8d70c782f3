import { describeDataset, DatasetInfo } from '@cvae/dataset';
import { existsSync } from 'fs';
import { stringOption } from '../args';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { formatTable } from '../format';

export const dataInfoCommand: Command = {
  path: ['data', 'info'],
  summary: 'Describe the dataset: counts, label histogram, image size and sha256 of each source file.',
  options: {
    'data-dir': { type: 'string', value: 'DIR', description: 'directory with the four MNIST-format IDX files (raw or .gz); default: embedded MNIST' },
    json: { type: 'boolean', description: 'print one JSON object' },
  },
  async run(options, _positionals, io) {
    const dataDir = stringOption(options, 'data-dir');
    if (dataDir !== undefined && !existsSync(dataDir)) throw new UsageError(`--data-dir ${dataDir}: directory does not exist`);
    const info = describeDataset(dataDir);
    io.stdout(options.json ? `${JSON.stringify(info, null, 2)}\n` : humanReadable(info));
    return 0;
  },
};

function humanReadable(info: DatasetInfo): string {
  const digits = info.train.labelHistogram.map((_, d) => String(d));
  return [
    `source: ${info.source} (${info.dir})`,
    `images: ${info.imageSize.height}x${info.imageSize.width}, train ${info.train.count}, test ${info.test.count}`,
    '',
    formatTable(['label', ...digits], [
      ['train', ...info.train.labelHistogram.map(String)],
      ['test', ...info.test.labelHistogram.map(String)],
    ]),
    '',
    formatTable(['file', 'bytes', 'sha256'], info.files.map((f) => [f.path, String(f.bytes), f.sha256])),
    '',
  ].join('\n');
}
