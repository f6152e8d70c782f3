import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { iterateBatches } from './batches';
import { describeDataset, ImageFolderInfo } from './info';
import { DatasetMismatchError, datasetIdentity, datasetShortHash, describeIdentity, resolveRecordedDataset } from './identity';
import { DatasetError } from './idx';
import { defaultCacheRoot } from './image-cache';
import { imageDecodeStats } from './image-decode';
import { ImageFolderIdentity, planImageFolder, scanImageFolder } from './image-folder';
import { areaResize, rgbToGray } from './image-pixels';
import { loadRawImages, loadSplit, LoadOptions } from './load';
import { writeTinyDataset } from './test-utils/idx-fixtures';
import { captured, removeTempDirs, tempDir, writeClassFolder, writeImage, writeSolid } from './test-utils/image-fixtures';

afterAll(removeTempDirs);

/** Loads both splits into a fresh cache (unless one is given), so each test decodes for itself. */
function load(dataDir: string, options: Omit<LoadOptions, 'dataDir'> = {}) {
  const all = { dataDir, cacheDir: tempDir('cvae-image-cache-'), ...options };
  return { train: loadRawImages('train', all), test: loadRawImages('test', all) };
}

/** A train/test folder whose only training image is `write`'s and whose test image is a white 2×2. */
async function oneImageFolder(write: (file: string) => Promise<void>): Promise<string> {
  const dir = tempDir();
  await write(path.join(dir, 'train', 'a', 'x.png'));
  await writeSolid(path.join(dir, 'test', 'a', 'y.png'), 2, 2, [255, 255, 255]);
  return dir;
}

function folderOf(identity: ReturnType<typeof datasetIdentity>): ImageFolderIdentity {
  if (identity.source !== 'image-folder') throw new Error(`expected an image folder, got ${identity.source}`);
  return identity;
}

describe('decoding', () => {
  it('gives a solid RGB PNG as its exact bytes, NHWC, at the size it has', async () => {
    const dir = await oneImageFolder((file) => writeSolid(file, 3, 2, [10, 20, 30]));
    const { train } = load(dir, { shape: [2, 3, 3] });
    expect([train.count, train.height, train.width, train.channels]).toEqual([1, 2, 3, 3]);
    expect(Array.from(train.pixels)).toEqual(new Array(6).fill([10, 20, 30]).flat());
  });

  it('composites alpha onto the background: white by default, or the one asked for (recorded in the identity)', async () => {
    const dir = await oneImageFolder((file) => writeImage(file, 2, 2, (x) => (x === 0 ? [10, 20, 30, 0] : [10, 20, 30, 255])));
    expect(Array.from(load(dir, { shape: [2, 2, 3] }).train.pixels.subarray(0, 6))).toEqual([255, 255, 255, 10, 20, 30]);
    expect(Array.from(load(dir, { shape: [2, 2, 3], background: [0, 0, 200] }).train.pixels.subarray(0, 6))).toEqual([0, 0, 200, 10, 20, 30]);
    expect(folderOf(datasetIdentity(dir, { background: [0, 0, 200] })).imageFolder.preprocess.background).toEqual([0, 0, 200]);
  });

  it('converts to the target channels: grey PNG to 1 or 3 channels, RGB to grey by PIL`s luma', async () => {
    const grey = await oneImageFolder((file) => writeSolid(file, 2, 2, [77]));
    expect(Array.from(load(grey, { shape: [2, 2, 1] }).train.pixels)).toEqual([77, 77, 77, 77]);
    expect(Array.from(load(grey, { shape: [2, 2, 3] }).train.pixels.subarray(0, 6))).toEqual([77, 77, 77, 77, 77, 77]);
    const rgb = await oneImageFolder((file) => writeSolid(file, 2, 2, [200, 100, 50]));
    // PIL: L = R·299/1000 + G·587/1000 + B·114/1000 = 124.2 → 124.
    expect(Array.from(load(rgb, { shape: [2, 2, 1] }).train.pixels)).toEqual([124, 124, 124, 124]);
  });

  it('shrinks 4×4 to 2×2 by the mean of each block, rounding halves up', async () => {
    const values = [0, 10, 20, 31, 40, 50, 61, 71, 80, 90, 100, 111, 120, 131, 140, 150];
    const dir = await oneImageFolder((file) => writeImage(file, 4, 4, (x, y) => [values[y * 4 + x]]));
    // Blocks: (0+10+40+50)/4 = 25, (20+31+61+71)/4 = 45.75 → 46, (80+90+120+131)/4 = 105.25 → 105, (100+111+140+150)/4 = 125.25 → 125.
    expect(Array.from(load(dir, { shape: [2, 2, 1] }).train.pixels)).toEqual([25, 46, 105, 125]);
  });

  it('decodes a JPEG and resizes images of other sizes to the target', async () => {
    const dir = tempDir();
    await writeSolid(path.join(dir, 'train', 'a', 'big.jpg'), 16, 12, [200, 40, 90], 'jpeg');
    await writeSolid(path.join(dir, 'train', 'a', 'small.png'), 2, 2, [5, 6, 7]);
    await writeSolid(path.join(dir, 'test', 'a', 'x.jpeg'), 8, 8, [9, 9, 9], 'jpeg');
    const { train } = load(dir, { shape: [4, 4, 3] });
    expect(train.pixels.length).toBe(2 * 4 * 4 * 3);
    const images = [train.pixels.subarray(0, 48), train.pixels.subarray(48)];
    const jpeg = images.find((image) => image[0] > 100) ?? images[0];
    const png = images.find((image) => image !== jpeg) ?? images[1];
    jpeg.forEach((v, i) => expect(Math.abs(v - [200, 40, 90][i % 3])).toBeLessThanOrEqual(2)); // JPEG is lossy
    expect(Array.from(png)).toEqual(new Array(16).fill([5, 6, 7]).flat());
  });

  it('takes the natural shape when none is given, and asks for one when the sizes differ', async () => {
    const same = tempDir();
    await writeClassFolder(path.join(same, 'train'), { a: 2 }, 2);
    await writeClassFolder(path.join(same, 'test'), { a: 1 }, 2);
    expect(folderOf(datasetIdentity(same)).imageFolder.preprocess).toMatchObject({ height: 2, width: 2, channels: 1, resize: 'area', fit: 'fill' });
    const differ = await oneImageFolder((file) => writeSolid(file, 3, 5, [1, 2, 3]));
    expect(() => datasetIdentity(differ)).toThrow(/: images differ in size \(.*train\/a\/x\.png is 5x3, .*test\/a\/y\.png is 2x2\); pass a target shape/);
    expect(folderOf(datasetIdentity(differ, { shape: [5, 3, 3] })).imageFolder.preprocess.channels).toBe(3);
  });

  it('feeds loadSplit and batches with the channels (floats in [0, 1], NHWC)', async () => {
    const dir = tempDir();
    await writeClassFolder(path.join(dir, 'train'), { cat: 3, dog: 2 }, 2);
    await writeClassFolder(path.join(dir, 'test'), { cat: 1, dog: 1 }, 2);
    const set = loadSplit('train', { dataDir: dir, cacheDir: tempDir(), shape: [2, 2, 3], binarization: 'none' });
    expect([set.count, set.channels, set.images.length, set.classes]).toEqual([5, 3, 5 * 2 * 2 * 3, ['cat', 'dog']]);
    const [batch] = [...iterateBatches(set, { batchSize: 4, seed: 1 })];
    expect(batch.shape).toEqual([4, 2, 2, 3]);
    expect(batch.images.length).toBe(4 * 12);
  });
});

describe('the area resize', () => {
  /** The mean of the covered area in floating point: the definition, computed another way. */
  function reference(data: number[], sh: number, sw: number, th: number, tw: number): number[] {
    const out: number[] = [];
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const [y0, y1, x0, x1] = [(y * sh) / th, ((y + 1) * sh) / th, (x * sw) / tw, ((x + 1) * sw) / tw];
        let sum = 0;
        for (let sy = Math.floor(y0); sy < Math.ceil(y1); sy++) {
          for (let sx = Math.floor(x0); sx < Math.ceil(x1); sx++) sum += (Math.min(y1, sy + 1) - Math.max(y0, sy)) * (Math.min(x1, sx + 1) - Math.max(x0, sx)) * data[sy * sw + sx];
        }
        out.push(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
    return out;
  }

  it.each([
    [4, 4, 2, 2],
    [64, 64, 28, 28],
    [10, 7, 3, 4],
    [3, 3, 7, 5],
  ])('%ix%i → %ix%i is the mean of the covered area', (sh, sw, th, tw) => {
    const data = Array.from({ length: sh * sw }, (_, i) => (i * 37 + (i >> 3) * 101) % 256);
    const out = areaResize({ height: sh, width: sw, channels: 1, data: Uint8Array.from(data) }, th, tw).data;
    reference(data, sh, sw, th, tw).forEach((mean, i) => expect(Math.abs(out[i] - mean)).toBeLessThanOrEqual(0.5 + 1e-9));
  });

  it('keeps channels apart, repeats pixels when enlarging by a whole factor, and rounds halves up', () => {
    const rgb = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    expect(Array.from(areaResize({ height: 1, width: 2, channels: 3, data: rgb }, 2, 4).data)).toEqual([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6, 1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6]);
    expect(Array.from(areaResize({ height: 1, width: 4, channels: 1, data: Uint8Array.from([0, 1, 2, 2]) }, 1, 2).data)).toEqual([1, 2]);
    expect(Array.from(rgbToGray(Uint8Array.from([255, 255, 255, 0, 0, 0, 0, 255, 0])))).toEqual([255, 0, 150]);
  });
});

describe('layouts', () => {
  it('reads DIR/<class>/…: classes are the sorted directory names, labels their indices (as torchvision)', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { zebra: 10, ant: 10, moose: 10 });
    const scan = scanImageFolder(dir);
    expect([scan.layout, scan.classes]).toEqual(['classes', ['ant', 'moose', 'zebra']]);
    for (const file of [...scan.splits.train, ...scan.splits.test]) expect(scan.classes[file.label]).toBe(file.relativePath.split('/')[0]);
  });

  it('reads DIR/train/<class>/… and DIR/test/<class>/… as given; test labels follow train`s classes', async () => {
    const dir = tempDir();
    await writeClassFolder(path.join(dir, 'train'), { a: 2, b: 2, c: 2 });
    await writeClassFolder(path.join(dir, 'test'), { c: 1 });
    const scan = scanImageFolder(dir);
    expect([scan.layout, scan.splits.train.length, scan.splits.test.length]).toEqual(['train-test', 6, 1]);
    expect(scan.splits.test[0].label).toBe(2);
    expect(scan.split).toEqual({ seed: 0 });
  });

  it('reads a flat DIR/*.png as unlabelled: no classes, so no classifier can be made', async () => {
    const dir = tempDir();
    for (let i = 0; i < 10; i++) await writeSolid(path.join(dir, `${i}.png`), 2, 2, [i]);
    const { train, test } = load(dir);
    expect([train.classes, train.count, test.count]).toEqual([[], 9, 1]);
    expect(folderOf(datasetIdentity(dir)).imageFolder).toMatchObject({ layout: 'flat', classes: [] });
  });

  it('skips hidden entries and other files, finds images below class directories and any-case extensions', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 9 });
    await writeSolid(path.join(dir, 'a', 'deeper', 'X.PNG'), 4, 4, [3]);
    writeFileSync(path.join(dir, 'a', 'notes.txt'), 'not an image');
    writeFileSync(path.join(dir, '.DS_Store'), 'hidden');
    const scan = scanImageFolder(dir);
    expect(scan.splits.train.length + scan.splits.test.length).toBe(10);
    expect([...scan.splits.train, ...scan.splits.test].map((f) => f.relativePath)).toContain('a/deeper/X.PNG');
  });

  it.each([
    ['an empty class directory', async (dir: string) => { await writeClassFolder(dir, { a: 2 }); mkdirSync(path.join(dir, 'empty')); }, /\/empty: empty class directory \(no \.png, \.jpg or \.jpeg files\)$/],
    ['images beside class directories', async (dir: string) => { await writeClassFolder(dir, { a: 2 }); await writeSolid(path.join(dir, 'loose.png'), 2, 2, [1]); }, /: holds both images \(loose\.png, …\) and class directories with images \(a\/, …\); use DIR\/<class>\/\*\.png or a flat DIR\/\*\.png, not both$/],
    ['train/ beside class directories', async (dir: string) => { await writeClassFolder(path.join(dir, 'train'), { a: 2 }); await writeClassFolder(path.join(dir, 'test'), { a: 1 }); await writeClassFolder(dir, { b: 1 }); }, /: holds train\/ or test\/ beside other entries \(b\/\)/],
    ['train/ without test/', async (dir: string) => { await writeClassFolder(path.join(dir, 'train'), { a: 2 }); }, /\/test: missing \(a folder with train\/ needs both train\/ and test\/\)$/],
    ['a test class that train/ lacks', async (dir: string) => { await writeClassFolder(path.join(dir, 'train'), { a: 2 }); await writeClassFolder(path.join(dir, 'test'), { z: 1 }); }, /\/test\/z: class not in .*\/train \(the classes, and so the labels, come from train\/: a\)$/],
    ['no images at all', async (dir: string) => { writeFileSync(path.join(dir, 'readme.txt'), 'hi'); }, /: no dataset here: expected the four MNIST IDX files .* or an image folder/],
    ['a split left empty by testFraction', async (dir: string) => { await writeClassFolder(dir, { a: 2 }); }, /: testFraction 0\.1 of 2 images leaves the test split empty; add images or choose another testFraction$/],
  ])('refuses %s in one line naming the directory', async (_what, make, message) => {
    const dir = tempDir();
    await make(dir);
    const error = captured(() => datasetIdentity(dir));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(dir)).toBe(true);
    expect(error.message).not.toContain('\n');
  });
});

describe('the seeded split', () => {
  const files = (scan: ReturnType<typeof scanImageFolder>, split: 'train' | 'test') => scan.splits[split].map((f) => f.relativePath);

  it('is the same on every scan, takes round(n · testFraction) of each class, and changes with the seed', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 20, b: 15, c: 5 });
    const scan = scanImageFolder(dir, { testFraction: 0.25 });
    expect(scanImageFolder(dir, { testFraction: 0.25 })).toEqual(scan);
    const perClass = (name: string) => files(scan, 'test').filter((rel) => rel.startsWith(`${name}/`)).length;
    expect([perClass('a'), perClass('b'), perClass('c')]).toEqual([5, 4, 1]); // 5, 3.75 and 1.25 rounded
    expect(scan.split).toEqual({ seed: 0, testFraction: 0.25 });
    expect(files(scanImageFolder(dir, { testFraction: 0.25, splitSeed: 7 }), 'test').sort()).not.toEqual(files(scan, 'test').sort());
  });

  it('stores each split in a seeded order that mixes the classes (so a limit takes several)', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 20, b: 20 });
    const firstTen = files(scanImageFolder(dir), 'train').slice(0, 10).map((rel) => rel[0]);
    expect(new Set(firstTen)).toEqual(new Set(['a', 'b']));
  });

  it('moves at most one file when a file is added to a class (each file`s key depends only on its path)', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 30 });
    const before = new Set(files(scanImageFolder(dir), 'test'));
    await writeSolid(path.join(dir, 'a', 'new.png'), 4, 4, [200]);
    const after = files(scanImageFolder(dir), 'test').filter((rel) => rel !== 'a/new.png');
    expect(after.filter((rel) => !before.has(rel)).length + [...before].filter((rel) => !after.includes(rel)).length).toBeLessThanOrEqual(1);
  });
});

describe('image folder identity', () => {
  it('records location, layout, classes, counts, split and preprocessing, and a manifest over every file', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 10, b: 10 });
    const identity = folderOf(datasetIdentity(dir, { shape: [8, 8, 3] }));
    expect(identity).toEqual({
      source: 'image-folder',
      location: path.resolve(dir),
      files: { manifest: expect.stringMatching(/^[0-9a-f]{64}$/) },
      imageFolder: {
        layout: 'classes',
        classes: ['a', 'b'],
        counts: { train: 18, test: 2 },
        split: { seed: 0, testFraction: 0.1 },
        preprocess: { height: 8, width: 8, channels: 3, background: [255, 255, 255], resize: 'area', fit: 'fill' },
      },
    });
    expect(describeIdentity(identity)).toBe(`image folder ${path.resolve(dir)} 8x8x3 (${datasetShortHash(identity)})`);
  });

  it('changes when one byte of one file changes, and when the preprocessing or split changes; not when the folder is copied', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 10, b: 10 });
    const hash = (d: string, options = {}) => datasetShortHash(datasetIdentity(d, options));
    const original = hash(dir);
    const copy = path.join(tempDir(), 'copy');
    cpSync(dir, copy, { recursive: true });
    expect(hash(copy)).toBe(original);
    for (const options of [{ shape: [4, 4, 3] as const }, { shape: [2, 2, 1] as const }, { background: [0, 0, 0] as [number, number, number] }, { testFraction: 0.2 }, { splitSeed: 1 }]) {
      expect([options, hash(dir, options)]).not.toEqual([options, original]);
    }
    const file = path.join(copy, 'b', '003.png');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 1; // the IEND chunk's CRC: same header, other bytes
    writeFileSync(file, bytes);
    expect(hash(copy)).not.toBe(original);
  });

  it('is resolved again from a record: same data passes, a changed file or shape is refused naming what differs', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 10, b: 10 });
    const recorded = datasetIdentity(dir, { shape: [2, 2, 1] });
    const again = resolveRecordedDataset(recorded, 'checkpoint x');
    expect(again).toEqual({ dataDir: path.resolve(dir), identity: recorded, imageOptions: { shape: [2, 2, 1], background: [255, 255, 255], testFraction: 0.1, splitSeed: 0 } });
    expect(captured(() => resolveRecordedDataset(recorded, 'checkpoint x', undefined, { shape: [4, 4, 1] })).message).toBe(
      `checkpoint x was made with ${describeIdentity(recorded)}, but ${path.resolve(dir)} now holds other data (preprocessing differ); pass --data-dir DIR to use another copy of the dataset`,
    );
    await writeSolid(path.join(dir, 'a', 'added.png'), 4, 4, [9]);
    const error = captured(() => resolveRecordedDataset(recorded, 'checkpoint x'));
    expect(error).toBeInstanceOf(DatasetMismatchError);
    expect(error.message).toMatch(/now holds other data \(files differ\); pass --data-dir DIR/);
    // --data-dir: another copy, read with the recorded preprocessing.
    const copy = path.join(tempDir(), 'copy');
    cpSync(dir, copy, { recursive: true });
    expect(resolveRecordedDataset(recorded, 'checkpoint x', copy).imageOptions?.shape).toEqual([2, 2, 1]);
  });
});

describe('the decoded cache', () => {
  it('is used on the second load: nothing is decoded again, and an entry of the wrong length is rebuilt', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 10, b: 10 });
    const cacheDir = tempDir('cvae-image-cache-');
    const before = imageDecodeStats().decoded;
    const first = loadRawImages('train', { dataDir: dir, cacheDir });
    expect(imageDecodeStats().decoded - before).toBe(20);
    const [entry] = readdirSync(cacheDir);
    expect(readdirSync(path.join(cacheDir, entry)).sort()).toEqual(['meta.json', 'test.labels', 'test.pixels', 'train.labels', 'train.pixels']);
    const second = loadRawImages('train', { dataDir: dir, cacheDir });
    const test = loadRawImages('test', { dataDir: dir, cacheDir });
    expect(imageDecodeStats().decoded - before).toBe(20);
    expect(second).toEqual(first);
    expect(test.count).toBe(2);
    writeFileSync(path.join(cacheDir, entry, 'train.pixels'), 'torn');
    expect(loadRawImages('train', { dataDir: dir, cacheDir })).toEqual(first);
    expect(imageDecodeStats().decoded - before).toBe(40);
  });

  it('has one entry per preprocessing, and none left half-written', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 10 });
    const cacheDir = tempDir('cvae-image-cache-');
    loadRawImages('train', { dataDir: dir, cacheDir, shape: [2, 2, 1] });
    loadRawImages('train', { dataDir: dir, cacheDir, shape: [2, 2, 3] });
    expect(readdirSync(cacheDir).filter((name) => /^[0-9a-f]{32}$/.test(name))).toHaveLength(2);
    expect(readdirSync(cacheDir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('lives under the workspace ($CVAE_WORKSPACE, else the nearest nx.json), else beside the dataset', () => {
    const workspace = tempDir();
    writeFileSync(path.join(workspace, 'nx.json'), '{}');
    const nested = path.join(workspace, 'apps');
    mkdirSync(nested);
    expect(defaultCacheRoot('/data/x', nested, {})).toBe(path.join(workspace, '.cache', 'datasets'));
    expect(defaultCacheRoot('/data/x', nested, { CVAE_WORKSPACE: '/elsewhere' })).toBe('/elsewhere/.cache/datasets');
    expect(defaultCacheRoot('/data/x', '/', {})).toBe('/data/x/.cvae-cache');
  });
});

describe('bad image files', () => {
  it('names a file that is not an image at all, before decoding anything', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 10 });
    writeFileSync(path.join(dir, 'a', 'fake.png'), 'GIF89a, or a text file');
    expect(() => datasetIdentity(dir)).toThrow(new DatasetError(`${path.join(dir, 'a', 'fake.png')}: cannot be decoded as an image (neither PNG nor JPEG data: starts with 47 49 46 38)`));
  });

  it('names a truncated file in one line when the decoder fails on it', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 10 });
    await writeImage(path.join(dir, 'a', 'broken.png'), 32, 32, (x, y) => [(x * 7 + y * 13) % 256, x * 8, y * 8]);
    const file = path.join(dir, 'a', 'broken.png');
    writeFileSync(file, readFileSync(file).subarray(0, 60));
    const error = captured(() => load(dir, { shape: [4, 4, 3] }));
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot be decoded as an image \\(.+\\)$`));
    expect(error.message).not.toContain('\n');
  });
});

describe('IDX beside image folders', () => {
  it('keeps a directory with IDX files IDX, at any size; a target shape other than its own is refused', () => {
    const dir = writeTinyDataset();
    expect(Object.keys(datasetIdentity(dir))).toEqual(['source', 'location', 'files']);
    expect(loadRawImages('train', { dataDir: dir, shape: [4, 3, 1] }).channels).toBe(1);
    expect(() => loadRawImages('train', { dataDir: dir, shape: [28, 28, 1] })).toThrow(/train-images-idx3-ubyte: IDX images are 4x3x1, but the target shape is 28x28x1/);
    expect(existsSync(path.join(dir, '.cvae-cache'))).toBe(false);
  });
});

describe('planImageFolder', () => {
  it('plans without decoding: the files of each split in stored order with their labels', async () => {
    const dir = tempDir();
    await writeClassFolder(dir, { a: 10, b: 10 });
    const before = imageDecodeStats().decoded;
    const plan = planImageFolder(dir);
    expect(plan.splits.train.length + plan.splits.test.length).toBe(20);
    expect(plan.identity.imageFolder.counts).toEqual({ train: 18, test: 2 });
    expect(imageDecodeStats().decoded).toBe(before);
  });
});

describe('describeDataset on an image folder', () => {
  it('gives classes, counts per split and sizes without decoding; the identity waits for a shape when sizes differ', async () => {
    const dir = tempDir();
    await writeClassFolder(path.join(dir, 'train'), { a: 3, b: 1 }, 4);
    await writeClassFolder(path.join(dir, 'test'), { b: 2 }, 4);
    await writeSolid(path.join(dir, 'train', 'a', 'wide.png'), 8, 4, [1, 2, 3]);
    const before = imageDecodeStats().decoded;
    const info = describeDataset(dir) as ImageFolderInfo;
    expect(info).toMatchObject({ source: 'image-folder', layout: 'train-test', classes: ['a', 'b'], grayscale: false });
    expect([info.train, info.test]).toEqual([{ count: 5, labelHistogram: [4, 1] }, { count: 2, labelHistogram: [0, 2] }]);
    expect(info.imageSizes).toEqual([{ size: '4x4', images: 6 }, { size: '4x8', images: 1 }]);
    expect(info.identity).toBeUndefined();
    expect(info.identityProblem).toMatch(/images differ in size/);
    const shaped = describeDataset(dir, { shape: [4, 4, 3] }) as ImageFolderInfo;
    expect(shaped.shortHash).toBe(datasetShortHash(datasetIdentity(dir, { shape: [4, 4, 3] })));
    expect(imageDecodeStats().decoded).toBe(before);
  });
});
