/**
 * Loading an image folder synchronously, as loadSplit always has: the cache entry when there is one,
 * else a decoder process (sharp only decodes asynchronously) that fills the entry, then the entry.
 * Built code runs `image-decode-process.js`; sources (jest) run the `.ts` under tsx, as
 * @cvae/images' startWorker does for threads.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { DatasetError } from './idx';
import { CacheMeta, CachedSplit, IMAGE_CACHE_FORMAT, imageCacheKey, readImageCache, removeImageCacheEntry, writeImageCache } from './image-cache';
import { countDecodes, decodeImageFiles, decoderVersion } from './image-decode';
import type { ImageFolderPlan, ImageFolderPreprocess } from './image-folder';
import type { RawImageSet, Split } from './mnist';

const SPLITS: Split[] = ['train', 'test'];
/** packages/dataset/src → the workspace's tsconfig.base.json (only used when running from sources). */
const WORKSPACE_TSCONFIG = path.resolve(__dirname, '..', '..', '..', 'tsconfig.base.json');

/** What the decoder process is given on stdin. */
export interface DecodeJob {
  cacheRoot: string;
  meta: CacheMeta;
  preprocess: ImageFolderPreprocess;
  splits: Record<Split, { files: string[]; labels: number[] }>;
}

/** Both splits of a planned folder as uint8 NHWC, decoding only when the cache has no entry for it. */
export function loadImageFolder(plan: ImageFolderPlan, cacheRoot: string): Record<Split, RawImageSet> {
  const decoder = decoderVersion();
  const key = imageCacheKey(plan.identity, decoder);
  let lookup = readImageCache(cacheRoot, key, plan.identity);
  if (lookup.status !== 'hit') {
    if (lookup.status === 'invalid') removeImageCacheEntry(cacheRoot, key);
    runDecoderProcess(decodeJob(plan, cacheRoot, key, decoder));
    lookup = readImageCache(cacheRoot, key, plan.identity);
    if (lookup.status !== 'hit') throw new Error(`the image decoder left no usable cache entry in ${path.join(cacheRoot, key)}`);
  }
  const { splits } = lookup;
  const { height, width, channels } = plan.preprocess;
  const rawSet = (split: Split): RawImageSet => ({ split, count: plan.splits[split].length, height, width, channels, classes: plan.classes, ...splits[split] });
  return { train: rawSet('train'), test: rawSet('test') };
}

/** Decodes a job's images and writes its cache entry (in the decoder process, or in any async caller); returns the number decoded. */
export async function decodeIntoCache(job: DecodeJob): Promise<number> {
  const splits = {} as Record<Split, CachedSplit>;
  for (const split of SPLITS) {
    const { files, labels } = job.splits[split];
    splits[split] = { pixels: await decodeImageFiles(files, job.preprocess), labels: Uint8Array.from(labels) };
  }
  writeImageCache(job.cacheRoot, job.meta, splits);
  return job.splits.train.files.length + job.splits.test.files.length;
}

function decodeJob(plan: ImageFolderPlan, cacheRoot: string, key: string, decoder: string): DecodeJob {
  const files = (split: Split) => plan.splits[split].map((file) => file.relativePath);
  return {
    cacheRoot,
    meta: { format: IMAGE_CACHE_FORMAT, key, decoder, identity: plan.identity, files: { train: files('train'), test: files('test') } },
    preprocess: plan.preprocess,
    splits: {
      train: { files: plan.splits.train.map((f) => f.path), labels: plan.splits.train.map((f) => f.label) },
      test: { files: plan.splits.test.map((f) => f.path), labels: plan.splits.test.map((f) => f.label) },
    },
  };
}

function runDecoderProcess(job: DecodeJob): void {
  const entry = path.join(__dirname, 'image-decode-process');
  const fromSources = !__filename.endsWith('.js');
  // An explicit env: under jest, `process` is the test's sandboxed copy, which spawn's default would bypass.
  const env = fromSources ? { ...process.env, TSX_TSCONFIG_PATH: WORKSPACE_TSCONFIG } : { ...process.env };
  const args = fromSources ? ['--require', require.resolve('tsx/cjs'), `${entry}.ts`] : [`${entry}.js`];
  const result = spawnSync(process.execPath, args, { input: JSON.stringify(job), env, encoding: 'utf8', maxBuffer: 1 << 24 });
  const reply = parseReply(result.stdout);
  if (reply?.error !== undefined) throw reply.dataset ? new DatasetError(reply.error) : new Error(`the image decoder failed: ${reply.error}`);
  if (result.status !== 0 || reply?.decoded === undefined) {
    const why = result.error?.message ?? (result.stderr.trim().split('\n')[0] || `exit ${result.status ?? result.signal}`);
    throw new Error(`the image decoder process failed (${why})`);
  }
  countDecodes(reply.decoded);
}

interface Reply {
  decoded?: number;
  error?: string;
  dataset?: boolean;
}

function parseReply(stdout: string | null): Reply | undefined {
  const last = stdout?.trim().split('\n').pop();
  if (!last) return undefined;
  try {
    return JSON.parse(last) as Reply;
  } catch {
    return undefined;
  }
}
