import { latentMeans, principalPlane, type LatentPlane } from '@cvae/model';
import { testSetOf, withLoadedModel } from './load';

export interface LatentSpaceOptions {
  /** Checkpoint directory (hash-verified on load). */
  checkpoint: string;
  /** The run's dataset directory (run.json config.dataDir); default the checkpoint's recorded dataset. */
  dataDir?: string;
  /** The first N test images (the run's testLimit); default all. */
  limit?: number;
  /** How many of the first test images to return as pixels, for picking in a browser. */
  pickable?: number;
  backend?: string;
}

export interface LatentSpace {
  latentDim: number;
  /** Posterior means of the test images, row-major (count × latentDim). */
  means: Float32Array;
  labels: Uint8Array;
  /** The plane of the means' first two principal components; null for a 1-D latent. */
  principal: LatentPlane | null;
  /** The first `pickable` test images as the model sees them (height·width·channels values each, in [0, 1]). */
  images: Float32Array;
}

/**
 * What the viewer's latent explorer needs of a checkpoint: where the encoder puts each test image, and
 * the principal plane of those means — the same plane the run's latent scatter and manifold are drawn in.
 */
export async function latentSpaceOfCheckpoint(options: LatentSpaceOptions): Promise<LatentSpace> {
  return withLoadedModel({ checkpoint: options.checkpoint, backend: options.backend, dataDir: options.dataDir }, async (model, source) => {
    const set = testSetOf(source, model, options.limit);
    const means = latentMeans(model, set);
    const pickable = Math.min(options.pickable ?? 0, set.count);
    return {
      latentDim: model.latentDim,
      means,
      labels: set.labels.slice(),
      principal: model.latentDim >= 2 ? principalPlane(means, model.latentDim) : null,
      images: set.images.slice(0, pickable * model.pixelsPerImage),
    };
  });
}

