import { describeDataset, DatasetInfo } from '@cvae/dataset';
import type { CliCommand } from '../command';
import { formatTable } from '../format';
import { dataDirOption, jsonOption } from '../options';

type DataInfoOptions = { dataDir?: string; json?: boolean };

export const dataInfoCommand: CliCommand<DataInfoOptions> = {
  path: ['data', 'info'],
  summary: 'Describe the dataset: counts, label histogram, image size and sha256 of each source file.',
  define: (command) => command.addOption(dataDirOption()).addOption(jsonOption()),
  async run(options, _operands, io) {
    const info = describeDataset(options.dataDir);
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
