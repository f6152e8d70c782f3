import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assertSameDataset, classifierArchitecture, classifierSplit, findClassifierOf, loadClassifier } from '@cvae/classifier';
import { SeededRandom, datasetIdentity } from '@cvae/dataset';
import { SampleQualitySchema, workspaceRelative } from '@cvae/formats';
import { encodePng } from '@cvae/images';
import { writeMirroredMnist } from '../test-utils/mirrored-mnist';
import { cliRunner } from '../test-utils/run-cli';
import { classifierTrainCommand } from './classifier';
import { evalCommand } from './eval';

const COMMANDS = [classifierTrainCommand, evalCommand];

const run = cliRunner(COMMANDS);

const dir = mkdtempSync(path.join(os.tmpdir(), 'cvae-cli-classifier-'));
const missing = path.join(dir, 'no-such-dir');

describe('cvae classifier train: bad input', () => {
  test.each([
    [['classifier', 'train', '--epochs', '0'], "cvae: --epochs must be an integer in [1, 1000], got '0'\n"],
    [['classifier', 'train', '--lr-decay', '1.5'], "cvae: --lr-decay must be a number in (0, 1], got '1.5'\n"],
    [['classifier', 'train', '--max-shift', '-1'], "cvae: --max-shift must be an integer in [0, 8], got '-1'\n"],
    [['classifier', 'train', '--data-dir', missing], `cvae: --data-dir ${missing}: directory does not exist\n`],
    [['classifier', 'train', '--seed', 'x'], "cvae: --seed must be an integer in [0, 4294967295], got 'x'\n"],
    [['classifier', 'fit'], "cvae: unknown command 'classifier fit' (try: train)\n"],
    [['eval', '--quality-samples', '1'], 'cvae: sample quality needs at least 2 prior samples and 2 test images (--quality-samples 0 skips it)\n'],
    [['eval', '--limit', '1', '--quality-samples', '100'], 'cvae: sample quality needs at least 2 prior samples and 2 test images (--quality-samples 0 skips it)\n'],
    [['eval', '--classifier', missing, '--limit', '10'], `cvae: classifier directory ${missing} does not exist (train one with: npx cvae classifier train --out ${missing})\n`],
  ])('%j → exit 2 with one line', async (argv, message) => {
    expect(await run(...argv)).toEqual({ code: 2, stdout: '', stderr: message });
  });
});

describe('cvae classifier train, then cvae eval with it', () => {
  const out = path.join(dir, 'small');

  test('trains on 2 threads, reports accuracy, and writes a classifier whose manifest holds the command', async () => {
    const result = await run('classifier', 'train', '--limit', '256', '--test-limit', '100', '--epochs', '2', '--batch-size', '64', '--workers', '2', '--backend', 'wasm', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^epoch 1: loss \d+\.\d{4}, test accuracy \d+\.\d{2}%\nepoch 2: .*\nwrote .*small: 10 classes, test accuracy \d+\.\d{2}% on 100 images, trained in \d+ s\n$/);
    expect(result.stderr).toContain('classifier: 256 training and 100 test images (28×28×1, binarized at 0.5), 2 epochs, 2 threads, wasm\n');
    expect(result.stderr).toMatch(/classifier epoch 2\/2: step 4\/4, loss \d+\.\d{4}, ETA 0 s\n/);
    const loaded = await loadClassifier(out);
    expect(loaded.manifest.command).toBe(`npx cvae classifier train --seed 1 --epochs 2 --batch-size 64 --lr 0.001 --lr-decay 0.75 --max-shift 2 --limit 256 --test-limit 100 --workers 2 --backend wasm --out ${out}`);
    expect(loaded.manifest.training).toMatchObject({ workers: 2, backend: 'wasm', epochs: 2 });
    expect(loaded.manifest).toMatchObject({ binarization: 0.5, architecture: classifierArchitecture() });
    loaded.classifier.dispose();
  }, 120_000);

  test('eval --json carries the sample-quality block of the reference, measured with the classifier given', async () => {
    const result = await run('eval', '--limit', '600', '--quality-samples', '700', '--classifier', out, '--workers', '2', '--json');
    expect(result.code).toBe(0);
    const quality = SampleQualitySchema.parse(JSON.parse(result.stdout).sampleQuality);
    expect(quality).toMatchObject({ seed: 0, testImages: 600, sampleImages: 'binarized', samples: { images: 700 }, reconstructions: { images: 600 } });
    expect(quality.classifier.path).toBe(out);
    expect(result.stderr).toContain('sample quality, prior samples: 700/700 images (100%)');
  }, 120_000);

  test('eval prints the block as a table; --quality-samples 0 leaves it out', async () => {
    const table = await run('eval', '--limit', '50', '--classifier', out, '--workers', '1');
    // set, images, FID, KID ± SD, precision, density, coverage, smallest class …
    expect(table.stdout).toMatch(/prior samples\s+50\s+\d+\.\d{2}\s+-?\d+\.\d{4} ± \d+\.\d{4}\s+\d\.\d{3}\s+\d\.\d{3}\s+\d\.\d{3}\s+\d+\.\d% \(\d\)/);
    expect(table.stdout).toMatch(/reconstructions\s+50\s+\d+\.\d{2}/);
    expect(table.stdout).toMatch(/prior samples, predicted classes: 0:\d+\.\d% 1:/);
    const without = await run('eval', '--limit', '50', '--quality-samples', '0', '--workers', '1', '--json');
    expect(JSON.parse(without.stdout).sampleQuality).toBeUndefined();
  }, 120_000);
});

describe('cvae classifier train --data-dir: the same command for another IDX dataset', () => {
  const data = writeMirroredMnist({ train: 256, test: 64 });
  const out = path.join(dir, 'mirrored');

  test('trains on it and records its identity; eval (embedded MNIST) refuses the classifier in one line, a usage error', async () => {
    const result = await run('classifier', 'train', '--data-dir', data, '--epochs', '1', '--batch-size', '64', '--workers', '1', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('test accuracy');
    const loaded = await loadClassifier(out);
    expect(loaded.manifest.dataset).toEqual({ source: data, files: datasetIdentity(data).files, trainImages: 256, testImages: 64 });
    expect(loaded.manifest.command).toContain(`--data-dir ${data} `);
    loaded.classifier.dispose();
    const refused = await run('eval', '--limit', '20', '--classifier', out, '--workers', '1');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(new RegExp(`^cvae: classifier ${out}: manifest.json was made on another dataset: train-images, train-labels, test-images, test-labels of the embedded MNIST differ \\(sha256\\)\n$`));
  }, 120_000);
});

/** `dir/<red|green|blue>/<i>.png`: `perClass` 24×24 RGB PNGs of one bright square of the class's colour on a noisy dark ground. */
function writeColourFolder(dir: string, perClass: number, seed: number): string {
  const random = new SeededRandom(seed);
  const side = 24;
  ['red', 'green', 'blue'].forEach((name, label) => {
    mkdirSync(path.join(dir, name), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const data = Uint8Array.from({ length: side * side * 3 }, () => Math.floor(random.uniform() * 60));
      const [top, left] = [Math.floor(random.uniform() * 14), Math.floor(random.uniform() * 14)];
      for (let y = top; y < top + 10; y++) for (let x = left; x < left + 10; x++) data[(y * side + x) * 3 + label] = 230;
      writeFileSync(path.join(dir, name, `${String(i).padStart(3, '0')}.png`), encodePng({ width: side, height: side, channels: 3, data }));
    }
  });
  return dir;
}

describe('cvae classifier train --data-dir: an RGB image folder of three classes', () => {
  const data = writeColourFolder(path.join(dir, 'colours'), 30, 1);
  const out = path.join(dir, 'colours-classifier');

  test('trains at the folder\'s own 24×24×3 on 8-bit levels, records the folder, and reads back the same data', async () => {
    const result = await run('classifier', 'train', '--data-dir', data, '--epochs', '4', '--batch-size', '16', '--max-shift', '1', '--workers', '2', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('classifier: 81 training and 9 test images (24×24×3, levels), 4 epochs, 2 threads');
    const accuracy = Number(/wrote .*colours-classifier: 3 classes, test accuracy (\d+\.\d\d)% on 9 images/.exec(result.stdout)?.[1]);
    expect(accuracy).toBeGreaterThanOrEqual(88); // 8 of the 9 test images at least (chance: 3)
    const loaded = await loadClassifier(out);
    try {
      const identity = datasetIdentity(data);
      expect(loaded.manifest).toMatchObject({ binarization: 'none', architecture: classifierArchitecture([24, 24, 3], 3) });
      expect(loaded.manifest.dataset).toEqual({ source: data, files: identity.files, imageFolder: 'imageFolder' in identity ? identity.imageFolder : 'missing', trainImages: 81, testImages: 9 });
      expect(loaded.manifest.dataset.imageFolder?.classes).toEqual(['blue', 'green', 'red']);
      const test = classifierSplit(loaded, 'test');
      expect([test.count, test.height, test.width, test.channels, test.binarization]).toEqual([9, 24, 24, 3, 'none']);
      // Another folder: a copy with one image changed.
      const other = path.join(dir, 'colours-edited');
      cpSync(data, other, { recursive: true });
      writeFileSync(path.join(other, 'red', '000.png'), encodePng({ width: 24, height: 24, channels: 3, data: new Uint8Array(24 * 24 * 3) }));
      expect(() => assertSameDataset(loaded, other)).toThrow(`classifier ${out}: manifest.json was made on another dataset: the files of ${other} differ`);
      expect(() => assertSameDataset(loaded, undefined)).toThrow('was made on another dataset: the kind of dataset (IDX files, image folder) of the embedded MNIST differ');
      expect(() => assertSameDataset(loaded, data)).not.toThrow();
    } finally {
      loaded.classifier.dispose();
    }
  }, 180_000);

  test('an image folder without classes is one line, exit 2, before any training', async () => {
    const flat = path.join(dir, 'flat');
    mkdirSync(flat);
    for (let i = 0; i < 12; i++) writeFileSync(path.join(flat, `${i}.png`), encodePng({ width: 8, height: 8, channels: 3, data: new Uint8Array(8 * 8 * 3).fill(i * 20) }));
    expect(await run('classifier', 'train', '--data-dir', flat, '--workers', '1')).toEqual({
      code: 2,
      stdout: '',
      stderr: `cvae: ${flat} has no classes: a classifier needs a labelled dataset (${flat}/<class>/*.png)\n`,
    });
  }, 60_000);

  test('--pixels binarized trains a classifier of binarized images, recorded in the command and the manifest', async () => {
    const binarized = path.join(dir, 'colours-binarized');
    const result = await run('classifier', 'train', '--data-dir', data, '--pixels', 'binarized', '--epochs', '1', '--batch-size', '32', '--workers', '1', '--out', binarized);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('(24×24×3, binarized at 0.5)');
    const loaded = await loadClassifier(binarized);
    expect(loaded.manifest.binarization).toBe(0.5);
    expect(loaded.manifest.command).toContain(' --pixels binarized ');
    expect(classifierSplit(loaded, 'test').images.every((v) => v === 0 || v === 1)).toBe(true);
    loaded.classifier.dispose();
    expect((await run('classifier', 'train', '--pixels', 'grey')).stderr).toBe("cvae: --pixels must be one of binarized, levels, got 'grey'\n");
  }, 120_000);

  test('--shape resizes the folder to the shape of the models it will judge; findClassifierOf picks it only for that shape', async () => {
    const root = path.join(dir, 'workspace');
    const classifierDir = path.join(root, 'classifiers', 'colours');
    const result = await run('classifier', 'train', '--data-dir', data, '--shape', '12x12x3', '--epochs', '1', '--batch-size', '32', '--workers', '1', '--out', classifierDir);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('(12×12×3, levels)');
    const loaded = await loadClassifier(classifierDir);
    expect(loaded.manifest.architecture.inputShape).toEqual([12, 12, 3]);
    expect(loaded.manifest.command).toContain(' --shape 12x12x3 ');
    loaded.classifier.dispose();
    const found = await findClassifierOf(data, [12, 12, 3], root);
    expect(found?.ref.path).toBe(workspaceRelative(classifierDir));
    found?.classifier.dispose();
    expect(await findClassifierOf(data, [24, 24, 3], root)).toBeUndefined();
    expect((await run('classifier', 'train', '--shape', '12x12x2')).stderr).toBe("cvae: --shape must be HEIGHTxWIDTHxCHANNELS with 1 or 3 channels, e.g. 32x32x3, got '12x12x2'\n");
  }, 120_000);
});
