import * as path from 'path';
import type { ImageSet } from '@cvae/dataset';
import { PER_IMAGE_METRICS, TEST_METRICS_DATA_FILE, TEST_METRICS_FILE, TestMetricsHeader, encodeTestMetricRows, sha256Hex } from '@cvae/formats';
import { writeFileAtomic, writeJsonAtomic } from '@cvae/images';
import { ELBO_EPS_LABEL, type PerImageMetrics } from '@cvae/model';
import { CVAE_EVAL_DEFAULT_SEED } from './evaluate';

/** What two runs must share for their per-image metrics to pair: the images (pixels and labels) and where they came from. */
export interface TestImagesIdentity {
  count: number;
  dataDir: string | null;
  sha256: string;
}

export function testImagesIdentity(set: ImageSet, dataDir: string | undefined): TestImagesIdentity {
  const pixels = new Uint8Array(set.images.buffer, set.images.byteOffset, set.images.byteLength);
  return { count: set.count, dataDir: dataDir ?? null, sha256: sha256Hex(Buffer.concat([pixels, set.labels])) };
}

/**
 * The epoch's per-image test metrics (`@cvae/formats`' test-metrics format): the .bin first, then the
 * header that names its sha256, each atomically, so a reader never pairs a header with a .bin it does not describe.
 */
export async function writeTestMetrics(runDir: string, at: { epoch: number; step: number; latentDim: number }, images: TestImagesIdentity, perImage: PerImageMetrics): Promise<void> {
  const bytes = encodeTestMetricRows(PER_IMAGE_METRICS.map((name) => perImage[name]));
  const header: TestMetricsHeader = {
    formatVersion: 1,
    epoch: at.epoch,
    step: at.step,
    count: images.count,
    columns: [...PER_IMAGE_METRICS],
    data: { file: TEST_METRICS_DATA_FILE, encoding: 'float32-le-rows', sha256: sha256Hex(bytes) },
    images: { split: 'test', ...images },
    eps: { seed: CVAE_EVAL_DEFAULT_SEED, label: ELBO_EPS_LABEL, latentDim: at.latentDim },
    createdAt: new Date().toISOString(),
  };
  await writeFileAtomic(path.join(runDir, TEST_METRICS_DATA_FILE), bytes);
  await writeJsonAtomic(path.join(runDir, TEST_METRICS_FILE), header);
}
