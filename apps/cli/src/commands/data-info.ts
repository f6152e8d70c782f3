import { describeDataset, describeIdentity, DatasetInfo, IdxDatasetInfo, ImageFolderInfo } from '@cvae/dataset';
import type { CliCommand } from '../command';
import { formatTable } from '../format';
import { dataDirOption, jsonOption } from '../options';

type DataInfoOptions = { dataDir?: string; json?: boolean };

export const dataInfoCommand: CliCommand<DataInfoOptions> = {
  path: ['data', 'info'],
  summary: 'Describe the dataset: counts, label histogram, image size and sha256 of each source file (an image folder: classes, counts per split, sizes, identity).',
  define: (command) => command.addOption(dataDirOption()).addOption(jsonOption()),
  async run(options, _operands, io) {
    const info = describeDataset(options.dataDir);
    io.stdout(options.json ? `${JSON.stringify(info, null, 2)}\n` : humanReadable(info));
    return 0;
  },
};

function humanReadable(info: DatasetInfo): string {
  return info.source === 'image-folder' ? imageFolderText(info) : idxText(info);
}

function idxText(info: IdxDatasetInfo): string {
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

function imageFolderText(info: ImageFolderInfo): string {
  const sizes = info.imageSizes.map(({ size, images }) => `${size} (${images})`).join(', ');
  const classes = info.classes.map((name, i) => [name, String(info.train.labelHistogram[i]), String(info.test.labelHistogram[i])]);
  return [
    `source: image folder (${info.dir}), layout ${info.layout}`,
    `identity: ${info.identity === undefined ? `none until a target shape is given (${info.identityProblem})` : describeIdentity(info.identity)}`,
    `images: ${sizes}, ${info.grayscale ? 'grey' : 'colour'}, train ${info.train.count}, test ${info.test.count}`,
    '',
    info.classes.length === 0 ? 'classes: none (unlabelled)' : formatTable(['class', 'train', 'test'], classes),
    '',
  ].join('\n');
}
