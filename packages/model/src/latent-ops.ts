/**
 * The latent-space terms of the ELBO as two ops with hand-written gradients, computed in JS on
 * [batch, latentDim] arrays (float64, rounded to float32 once): tfjs composes them from ~25 tiny
 * tensor ops forward and ~35 backward, each costing more in dispatch than its arithmetic.
 * Backend-agnostic (dataSync on cpu, wasm and tfjs-node alike).
 */
import * as tf from '@tensorflow/tfjs-core';

type GradSave = (tensors: tf.Tensor[]) => void;
type CustomGradient = Parameters<typeof tf.customGrad>[0];

function host(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** z = mean + exp(logvar / 2) · eps, with its gradient w.r.t. mean, logvar and eps. */
export const reparameterizeOp = tf.customGrad(((mean: tf.Tensor2D, logvar: tf.Tensor2D, eps: tf.Tensor2D, save: GradSave) => {
  const [m, lv, e] = [host(mean), host(logvar), host(eps)];
  const sigma = Float64Array.from(lv, (v) => Math.exp(0.5 * v));
  const z = Float32Array.from(m, (v, i) => v + sigma[i] * e[i]);
  save([logvar, eps]);
  return {
    value: tf.tensor2d(z, mean.shape),
    gradFunc: (dz: tf.Tensor2D, [savedLogvar, savedEps]: tf.Tensor[]) => {
      const [d, lv2, e2] = [host(dz), host(savedLogvar), host(savedEps)];
      const s = (i: number) => Math.exp(0.5 * lv2[i]);
      return [
        tf.tensor2d(d.slice(), dz.shape),
        tf.tensor2d(Float32Array.from(d, (g, i) => 0.5 * g * s(i) * e2[i]), dz.shape),
        tf.tensor2d(Float32Array.from(d, (g, i) => g * s(i)), dz.shape),
      ];
    },
  };
}) as unknown as CustomGradient) as (mean: tf.Tensor2D, logvar: tf.Tensor2D, eps: tf.Tensor2D) => tf.Tensor2D;

/**
 * log p(z) − log q(z|x) per example for p = N(0, I), q = N(mean, exp(logvar)):
 *   ½ Σ_d [(z − mean)² e^−logvar + logvar − z²]   (the log 2π terms cancel),
 * with its gradient w.r.t. z, mean and logvar.
 */
export const logPriorOverPosteriorOp = tf.customGrad(((z: tf.Tensor2D, mean: tf.Tensor2D, logvar: tf.Tensor2D, save: GradSave) => {
  const [zs, m, lv] = [host(z), host(mean), host(logvar)];
  const [batch, dims] = z.shape;
  const out = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    let sum = 0;
    for (let i = b * dims; i < (b + 1) * dims; i++) sum += (zs[i] - m[i]) ** 2 * Math.exp(-lv[i]) + lv[i] - zs[i] ** 2;
    out[b] = 0.5 * sum;
  }
  save([z, mean, logvar]);
  return {
    value: tf.tensor1d(out),
    gradFunc: (dy: tf.Tensor1D, [sz, sm, slv]: tf.Tensor[]) => {
      const [g, z2, m2, lv2] = [host(dy), host(sz), host(sm), host(slv)];
      const [dz, dmean, dlogvar] = [new Float32Array(z2.length), new Float32Array(z2.length), new Float32Array(z2.length)];
      for (let i = 0; i < z2.length; i++) {
        const gi = g[Math.floor(i / dims)];
        const scaled = (z2[i] - m2[i]) * Math.exp(-lv2[i]);
        dz[i] = gi * (scaled - z2[i]);
        dmean[i] = -gi * scaled;
        dlogvar[i] = 0.5 * gi * (1 - (z2[i] - m2[i]) * scaled);
      }
      return [dz, dmean, dlogvar].map((values) => tf.tensor2d(values, [batch, dims]));
    },
  };
}) as unknown as CustomGradient) as (z: tf.Tensor2D, mean: tf.Tensor2D, logvar: tf.Tensor2D) => tf.Tensor1D;
