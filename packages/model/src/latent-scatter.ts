import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '@cvae/dataset';
import type { CVAE } from './cvae';
import { drawScatter, type Image8 } from '@cvae/images';

/** Images per encoder call: bounds peak memory while keeping the per-call overhead negligible. */
const ENCODE_BATCH = 1000;

/**
 * The labelled latent scatter: posterior means (dims 0 and 1; a 1-D latent is drawn at z1 = 0) of
 * the first `count` images of `set`, coloured by label. No eps, so the picture depends only on the
 * weights and the images. Training (per run) and evaluation (`cvae sample --kind scatter`) both call
 * this, so the two pictures of one checkpoint are byte-identical.
 */
export function renderLatentScatter(model: CVAE, set: ImageSet, count = set.count): Image8 {
  const n = Math.min(count, set.count);
  const points = new Float32Array(n * 2);
  const pixels = set.height * set.width;
  for (let start = 0; start < n; start += ENCODE_BATCH) {
    const size = Math.min(ENCODE_BATCH, n - start);
    const firstTwo = tf.tidy(() => {
      const { mean } = model.encode(tf.tensor4d(set.images.subarray(start * pixels, (start + size) * pixels), [size, set.height, set.width, 1]));
      return model.latentDim >= 2 ? tf.slice(mean, [0, 0], [size, 2]) : tf.concat([mean, tf.zerosLike(mean)], 1);
    });
    points.set(firstTwo.dataSync(), start * 2);
    firstTwo.dispose();
  }
  return drawScatter(points, set.labels.subarray(0, n));
}
