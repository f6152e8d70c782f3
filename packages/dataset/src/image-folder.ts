/**
 * Image folders in the layout torchvision's `ImageFolder` and Keras' `image_dataset_from_directory`
 * read: class names are the sorted subdirectory names, label i is the i-th of them.
 *
 * - `DIR/train/<class>/*.png|jpg|jpeg` and `DIR/test/<class>/…` — the splits as given;
 * - `DIR/<class>/…` — each class split by a seeded `testFraction` (round(n · fraction) test images per class);
 * - `DIR/*.png` (or `DIR/train/*.png` + `DIR/test/*.png`) — no classes: unlabelled, so no classifier.
 *
 * Files are found by extension (case-insensitive, in class directories and below them, as torchvision
 * walks them); names starting with '.' are skipped (the cache, editor files), other files ignored.
 * Scanning is synchronous and reads every image once: its sha256 for the identity and its header for
 * the natural size. Decoding (sharp, asynchronous) is in image-decode.ts.
 */
import { createHash } from 'crypto';
import { Dirent, readdirSync, readFileSync, realpathSync, statSync } from 'fs';
import * as path from 'path';
import { DatasetError } from './idx';
import { ImageHeader, readImageHeader } from './image-header';
import type { Split } from './mnist';
import { deriveSeed } from './random';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;
/** Labels are bytes (as in IDX). */
export const MAX_CLASSES = 256;
export const DEFAULT_TEST_FRACTION = 0.1;
export const DEFAULT_SPLIT_SEED = 0;
/** What transparent pixels become: white, as when a PNG with alpha is shown on a page. */
export const DEFAULT_BACKGROUND: Rgb = [255, 255, 255];

export type ImageFolderLayout = 'train-test' | 'classes' | 'flat';
export type Rgb = [number, number, number];
/** A model's input: [height, width, channels], channels 1 (grey) or 3 (RGB). */
export type ImageShape = readonly [number, number, number];

/** How the images become the uint8 NHWC pixels a model sees (all of it is part of the identity). */
export interface ImageFolderPreprocess {
  height: number;
  width: number;
  channels: 1 | 3;
  /** Alpha is composited onto this colour (RGB bytes) before anything else. */
  background: Rgb;
  /** The mean of the covered source area (image-pixels.ts), for shrinking and enlarging. */
  resize: 'area';
  /** Stretched to [height, width], the aspect ratio not kept (as torchvision's Resize((h, w)) and Keras' default). */
  fit: 'fill';
}

/** How the files are divided into train and test: `testFraction` only where the layout has no train/test directories. */
export interface ImageFolderSplit {
  seed: number;
  testFraction?: number;
}

/** What an image folder's identity adds to the IDX form: how its files are organised, split and preprocessed. */
export interface ImageFolderDetails {
  layout: ImageFolderLayout;
  /** Label i is classes[i]; empty for an unlabelled (flat) folder. */
  classes: string[];
  counts: { train: number; test: number };
  split: ImageFolderSplit;
  preprocess: ImageFolderPreprocess;
}

/** Which image folder, preprocessed how: recorded by runs, checkpoints and suites like the IDX identity. */
export interface ImageFolderIdentity {
  source: 'image-folder';
  /** The absolute directory. */
  location: string;
  /** sha256 over the sorted lines `relative/path<TAB>sha256-of-file` of every image. */
  files: { manifest: string };
  imageFolder: ImageFolderDetails;
}

/** The caller's choices; every one has a default, recorded in the identity. */
export interface ImageFolderOptions {
  /** Target [height, width, channels]; default: the images' own size (when they all agree), 1 channel when all are grey, else 3. */
  shape?: ImageShape;
  /** RGB bytes that alpha is composited onto (default white). */
  background?: Rgb;
  /** Share of each class that goes to the test split, for `DIR/<class>/…` and flat folders (default 0.1). */
  testFraction?: number;
  /** Seed of the train/test split and of the stored order (default 0). */
  splitSeed?: number;
}

export interface ImageFile {
  /** Forward-slash path below the folder, e.g. `train/cat/001.png`. */
  relativePath: string;
  path: string;
  sha256: string;
  header: ImageHeader;
  /** Index into the classes; 0 for unlabelled folders. */
  label: number;
}

/** A folder read and hashed, its files divided into splits (each in its stored order), before any decoding. */
export interface ImageFolderScan {
  dir: string;
  layout: ImageFolderLayout;
  classes: string[];
  manifest: string;
  split: ImageFolderSplit;
  splits: Record<Split, ImageFile[]>;
}

/** What a decoder needs and what the identity says. */
export interface ImageFolderPlan extends ImageFolderScan {
  preprocess: ImageFolderPreprocess;
  identity: ImageFolderIdentity;
}

/** Scans, hashes and splits `dir`, and settles the preprocessing (`options.shape` or the natural shape). */
export function planImageFolder(dir: string, options: ImageFolderOptions = {}): ImageFolderPlan {
  const scan = scanImageFolder(dir, options);
  const preprocess = preprocessFor(scan, options);
  return { ...scan, preprocess, identity: imageFolderIdentity(scan, preprocess) };
}

export function imageFolderIdentity(scan: ImageFolderScan, preprocess: ImageFolderPreprocess): ImageFolderIdentity {
  return {
    source: 'image-folder',
    location: path.resolve(scan.dir),
    files: { manifest: scan.manifest },
    imageFolder: {
      layout: scan.layout,
      classes: scan.classes,
      counts: { train: scan.splits.train.length, test: scan.splits.test.length },
      split: scan.split,
      preprocess,
    },
  };
}

/** The options that reproduce an identity's preprocessing and split (for loading a recorded image folder again). */
export function optionsOf(details: ImageFolderDetails): Required<ImageFolderOptions> {
  const { height, width, channels, background } = details.preprocess;
  return {
    shape: [height, width, channels],
    background,
    testFraction: details.split.testFraction ?? DEFAULT_TEST_FRACTION,
    splitSeed: details.split.seed,
  };
}

/** Finds, hashes and splits the images of `dir` (every problem a one-line DatasetError naming the file or directory). */
export function scanImageFolder(dir: string, options: Pick<ImageFolderOptions, 'testFraction' | 'splitSeed'> = {}): ImageFolderScan {
  const seed = checkedSeed(options.splitSeed ?? DEFAULT_SPLIT_SEED);
  const found = findImages(dir);
  const labelled = found.classes.length > 0;
  const files = Object.fromEntries(
    (['train', 'test'] as const).map((split) => [split, found.groups[split]?.map((group) => group.files.map((rel) => hashedFile(dir, rel, group.label)))]),
  ) as Partial<Record<Split, ImageFile[][]>>;
  let split: ImageFolderSplit;
  let splits: Record<Split, ImageFile[]>;
  if (found.layout === 'train-test') {
    split = { seed };
    splits = { train: (files.train ?? []).flat(), test: (files.test ?? []).flat() };
  } else {
    const testFraction = checkedFraction(options.testFraction ?? DEFAULT_TEST_FRACTION);
    split = { seed, testFraction };
    splits = splitByFraction(files.train ?? [], testFraction, seed);
  }
  for (const name of ['train', 'test'] as const) {
    if (splits[name].length === 0) {
      const images = splits.train.length + splits.test.length;
      throw new DatasetError(`${dir}: testFraction ${split.testFraction} of ${images} images leaves the ${name} split empty; add images or choose another testFraction`);
    }
    splits[name] = storedOrder(splits[name], seed);
  }
  const all = [...splits.train, ...splits.test].sort((a, b) => compareStrings(a.relativePath, b.relativePath));
  return { dir, layout: found.layout, classes: labelled ? found.classes : [], manifest: manifestHash(all), split, splits };
}

/** The target preprocessing: the caller's shape, else the natural one (which needs every image to be the same size). */
export function preprocessFor(scan: ImageFolderScan, options: ImageFolderOptions): ImageFolderPreprocess {
  const background = checkedBackground(options.background ?? DEFAULT_BACKGROUND);
  const [height, width, channels] = options.shape === undefined ? naturalShape(scan) : checkedShape(options.shape);
  return { height, width, channels, background, resize: 'area', fit: 'fill' };
}

/** The images' own [height, width] when they all agree, and 1 channel when all are grey (else 3). */
export function naturalShape(scan: ImageFolderScan): [number, number, 1 | 3] {
  const files = [...scan.splits.train, ...scan.splits.test];
  const first = files[0];
  const other = files.find((f) => f.header.height !== first.header.height || f.header.width !== first.header.width);
  if (other !== undefined) {
    throw new DatasetError(
      `${scan.dir}: images differ in size (${first.path} is ${sizeOf(first.header)}, ${other.path} is ${sizeOf(other.header)}); pass a target shape [height, width, channels]`,
    );
  }
  return [first.header.height, first.header.width, files.every((f) => f.header.grayscale) ? 1 : 3];
}

/** The distinct image sizes with how many images have each, largest count first (for `cvae data info`). */
export function imageSizes(scan: ImageFolderScan): { size: string; images: number }[] {
  const counts = new Map<string, number>();
  for (const file of [...scan.splits.train, ...scan.splits.test]) counts.set(sizeOf(file.header), (counts.get(sizeOf(file.header)) ?? 0) + 1);
  return [...counts].map(([size, images]) => ({ size, images })).sort((a, b) => b.images - a.images || compareStrings(a.size, b.size));
}

function sizeOf(header: ImageHeader): string {
  return `${header.height}x${header.width}`;
}

// ---- finding the files -------------------------------------------------------------------------

/** One class (or, unlabelled, the whole split) and its images relative to the folder, sorted. */
interface Group {
  label: number;
  files: string[];
}

interface Found {
  layout: ImageFolderLayout;
  classes: string[];
  /** For 'classes' and 'flat' layouts everything is under `train` until split by fraction. */
  groups: Partial<Record<Split, Group[]>>;
}

const LAYOUTS_HINT = 'DIR/<class>/*.png|jpg|jpeg, DIR/train/<class>/… with DIR/test/<class>/…, or a flat DIR/*.png';

function findImages(dir: string): Found {
  const top = listDirectory(dir);
  if (top.dirs.includes('train') || top.dirs.includes('test')) return findSplitDirectories(dir, top);
  const level = findLevel(dir, '', top);
  if (level === undefined) {
    throw new DatasetError(
      `${dir}: no dataset here: expected the four MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; each may be .gz) or an image folder (${LAYOUTS_HINT})`,
    );
  }
  return { layout: level.classes.length > 0 ? 'classes' : 'flat', classes: level.classes, groups: { train: level.groups } };
}

function findSplitDirectories(dir: string, top: Listing): Found {
  const others = top.dirs.filter((name) => name !== 'train' && name !== 'test');
  if (others.length > 0 || top.images.length > 0) {
    const beside = [...others.map((d) => `${d}/`), ...top.images].slice(0, 3).join(', ');
    throw new DatasetError(`${dir}: holds train/ or test/ beside other entries (${beside}); use DIR/train/<class>/ with DIR/test/<class>/, or DIR/<class>/, not both`);
  }
  const missing = ['train', 'test'].find((split) => !top.dirs.includes(split));
  if (missing !== undefined) throw new DatasetError(`${path.join(dir, missing)}: missing (a folder with ${top.dirs[0]}/ needs both train/ and test/)`);
  const train = findLevel(dir, 'train', listDirectory(path.join(dir, 'train')));
  const test = findLevel(dir, 'test', listDirectory(path.join(dir, 'test')));
  if (train === undefined || test === undefined) throw new DatasetError(`${path.join(dir, train === undefined ? 'train' : 'test')}: no images (expected <class>/*.png|jpg|jpeg or *.png)`);
  if ((train.classes.length > 0) !== (test.classes.length > 0)) {
    const kind = (level: Level) => (level.classes.length > 0 ? 'class directories' : 'images without classes');
    throw new DatasetError(`${path.join(dir, 'test')}: holds ${kind(test)} but ${path.join(dir, 'train')} holds ${kind(train)}; use the same layout in both`);
  }
  const stray = test.classes.find((name) => !train.classes.includes(name));
  if (stray !== undefined) {
    throw new DatasetError(`${path.join(dir, 'test', stray)}: class not in ${path.join(dir, 'train')} (the classes, and so the labels, come from train/: ${train.classes.slice(0, 5).join(', ')}${train.classes.length > 5 ? ', …' : ''})`);
  }
  // Test labels are the indices of train's classes, whichever of them test/ has.
  const testGroups = train.classes.length === 0 ? test.groups : test.groups.map((group) => ({ ...group, label: train.classes.indexOf(test.classes[group.label]) }));
  return { layout: 'train-test', classes: train.classes, groups: { train: train.groups, test: testGroups } };
}

interface Level {
  classes: string[];
  groups: Group[];
}

/** One level (the folder, or its train/ or test/): class directories, or images without classes; undefined when it has no images at all. */
function findLevel(root: string, sub: string, listing: Listing): Level | undefined {
  const here = path.join(root, sub);
  const prefix = sub === '' ? '' : `${sub}/`;
  if (listing.images.length > 0) {
    const withImages = listing.dirs.filter((name) => collectImages(root, `${prefix}${name}`).length > 0);
    if (withImages.length > 0) {
      throw new DatasetError(`${here}: holds both images (${listing.images[0]}, …) and class directories with images (${withImages[0]}/, …); use ${sub || 'DIR'}/<class>/*.png or a flat ${sub || 'DIR'}/*.png, not both`);
    }
    return { classes: [], groups: [{ label: 0, files: listing.images.map((name) => `${prefix}${name}`) }] };
  }
  if (listing.dirs.length === 0) return undefined;
  const groups = listing.dirs.map((name, label) => ({ label, files: collectImages(root, `${prefix}${name}`) }));
  if (groups.every((group) => group.files.length === 0)) return undefined;
  const empty = groups.find((group) => group.files.length === 0);
  if (empty !== undefined) throw new DatasetError(`${path.join(here, listing.dirs[empty.label])}: empty class directory (no .png, .jpg or .jpeg files)`);
  if (listing.dirs.length > MAX_CLASSES) throw new DatasetError(`${here}: ${listing.dirs.length} class directories; at most ${MAX_CLASSES} are supported (labels are bytes)`);
  return { classes: listing.dirs, groups };
}

interface Listing {
  dirs: string[];
  images: string[];
}

/** Subdirectories and image files of one directory, each sorted by code point (as Python's sorted()). */
function listDirectory(dir: string): Listing {
  const listing: Listing = { dirs: [], images: [] };
  for (const entry of readEntries(dir)) {
    if (entry.name.startsWith('.')) continue;
    const kind = entryKind(dir, entry);
    if (kind === 'dir') listing.dirs.push(entry.name);
    else if (kind === 'file' && isImageName(entry.name)) listing.images.push(entry.name);
  }
  listing.dirs.sort(compareStrings);
  listing.images.sort(compareStrings);
  return listing;
}

/** Every image below `root/sub`, as paths relative to `root`, sorted; symlinked directories are followed once. */
function collectImages(root: string, sub: string, seen = new Set<string>()): string[] {
  const real = realpathSync(path.join(root, sub));
  if (seen.has(real)) return [];
  seen.add(real);
  const { dirs, images } = listDirectory(path.join(root, sub));
  return [...images.map((name) => `${sub}/${name}`), ...dirs.flatMap((name) => collectImages(root, `${sub}/${name}`, seen))].sort(compareStrings);
}

function readEntries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new DatasetError(`${dir}: cannot read the directory (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function entryKind(dir: string, entry: Dirent): 'dir' | 'file' | 'other' {
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const target = statSync(path.join(dir, entry.name));
    return target.isDirectory() ? 'dir' : target.isFile() ? 'file' : 'other';
  } catch {
    return 'other'; // a dangling link is not an image
  }
}

function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

// ---- hashing and splitting ---------------------------------------------------------------------

function hashedFile(root: string, relativePath: string, label: number): ImageFile {
  const file = path.join(root, ...relativePath.split('/'));
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new DatasetError(`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const header = readImageHeader(bytes);
  if (typeof header === 'string') throw new DatasetError(`${file}: cannot be decoded as an image (${header})`);
  return { relativePath, path: file, sha256: createHash('sha256').update(bytes).digest('hex'), header, label };
}

function manifestHash(files: ImageFile[]): string {
  return createHash('sha256').update(files.map((f) => `${f.relativePath}\t${f.sha256}\n`).join('')).digest('hex');
}

/**
 * In each class, the round(n · fraction) files with the smallest seeded key go to test. A file's key
 * depends only on the seed and its own path, so adding a file moves at most the one at the boundary.
 */
function splitByFraction(groups: ImageFile[][], testFraction: number, seed: number): Record<Split, ImageFile[]> {
  const result: Record<Split, ImageFile[]> = { train: [], test: [] };
  for (const group of groups) {
    const ranked = sortBySeededKey(group, seed, 'test-split');
    const testCount = Math.round(group.length * testFraction);
    result.test.push(...ranked.slice(0, testCount));
    result.train.push(...ranked.slice(testCount));
  }
  return result;
}

/** A split's stored order: classes interleaved by a seeded key, so `limit` takes a mix rather than the first class. */
function storedOrder(files: ImageFile[], seed: number): ImageFile[] {
  return sortBySeededKey(files, seed, 'order');
}

function sortBySeededKey(files: ImageFile[], seed: number, stream: string): ImageFile[] {
  const keyed = files.map((file) => ({ file, key: deriveSeed(seed, `${stream}:${file.relativePath}`) }));
  keyed.sort((a, b) => a.key - b.key || compareStrings(a.file.relativePath, b.file.relativePath));
  return keyed.map(({ file }) => file);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---- option checks -----------------------------------------------------------------------------

function checkedShape(shape: ImageShape): [number, number, 1 | 3] {
  const [height, width, channels] = shape;
  if (shape.length !== 3 || ![height, width].every((n) => Number.isInteger(n) && n > 0) || (channels !== 1 && channels !== 3)) {
    throw new RangeError(`target shape must be [height, width, channels] with positive sizes and 1 or 3 channels, got [${shape.join(', ')}]`);
  }
  return [height, width, channels];
}

function checkedBackground(background: Rgb): Rgb {
  if (background.length !== 3 || !background.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)) {
    throw new RangeError(`background must be three bytes [r, g, b], got [${background.join(', ')}]`);
  }
  return [...background] as Rgb;
}

function checkedFraction(fraction: number): number {
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`testFraction must be in (0, 1), got ${fraction}`);
  return fraction;
}

function checkedSeed(seed: number): number {
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 32 - 1) throw new RangeError(`splitSeed must be an integer in [0, 2^32 - 1], got ${seed}`);
  return seed;
}
