import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '@cvae/dataset';
import type { CVAE } from './cvae';
import { drawScatter, type Image8 } from '@cvae/images';
import { principalPlane, projectAllOntoPlane } from './latent-plane';

/** Images per encoder call: bounds peak memory while keeping the per-call overhead negligible. */
const ENCODE_BATCH = 1000;

/** Posterior means of the first `count` images of `set` (row-major, count × latentDim). No eps. */
export function latentMeans(model: CVAE, set: ImageSet, count = set.count): Float32Array {
  const n = Math.min(count, set.count);
  const d = model.latentDim;
  const means = new Float32Array(n * d);
  const pixels = model.pixelsPerImage;
  for (let start = 0; start < n; start += ENCODE_BATCH) {
    const size = Math.min(ENCODE_BATCH, n - start);
    const mean = tf.tidy(() => model.encode(model.imageTensor(set.images.subarray(start * pixels, (start + size) * pixels))).mean);
    means.set(mean.dataSync(), start * d);
    mean.dispose();
  }
  return means;
}

/**
 * The labelled latent scatter: posterior means of the first `count` images of `set`, coloured by label.
 * A 2-D latent is drawn as it is (z0 across, z1 up; a 1-D latent at z1 = 0); a larger one in the plane
 * of the first two principal components of these means (pc1, pc2: see latent-plane.ts). No eps, so the
 * picture depends only on the weights and the images. Training (per run) and evaluation
 * (`cvae sample --kind scatter`) both call this, so the two pictures of one checkpoint are byte-identical.
 */
export function renderLatentScatter(model: CVAE, set: ImageSet, count = set.count): Image8 {
  const means = latentMeans(model, set, count);
  const labels = set.labels.subarray(0, means.length / model.latentDim);
  if (model.latentDim > 2) return drawScatter(projectAllOntoPlane(principalPlane(means, model.latentDim), means), labels, { axisLabels: ['pc1', 'pc2'] });
  const points = model.latentDim === 2 ? means : Float32Array.from({ length: means.length * 2 }, (_, i) => (i % 2 === 0 ? means[i / 2] : 0));
  return drawScatter(points, labels);
}
