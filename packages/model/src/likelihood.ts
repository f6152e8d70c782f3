/**
 * The pixel likelihood p(x|z): how the decoder's output scores an image, in nats, with tfjs-core ops only
 * (tf's autodiff gives the gradients; no custom gradient is needed, every branch is finite everywhere).
 *
 * Two kinds, described as data (`Likelihood`, the schema that checkpoints record, from @cvae/formats):
 *
 * - `{ kind: 'bernoulli' }` (the seed). Pixels are {0, 1} floats. The decoder outputs C channels, one logit
 *   per image channel. log p(x|z) = −Σ sigmoid cross-entropy, the same row-sum kernel as loss.ts.
 * - `{ kind: 'discretized-logistic' }` (PixelCNN++, Salimans et al. 2017; Kingma et al. 2016, IAF). Pixels are
 *   8-bit levels k ∈ {0..255} given as floats k/255 in [0, 1]; inside they become the bin centres
 *   c = 2k/255 − 1 in [−1, 1], each bin [c − 1/255, c + 1/255]. The decoder outputs [N, H, W, 2C] with the
 *   channels SPLIT: channels 0..C−1 are the means μ (on the [−1, 1] scale, unconstrained), channels C..2C−1
 *   the log-scales log s (clamped below at LOG_SCALE_MIN). So the decoder's last layer has
 *   `decoderChannels(likelihood, C)` filters, and `tf.split(output, 2, 3)` gives [means, logScales].
 *   P(k) = σ((c⁺ − μ)/s) − σ((c⁻ − μ)/s), c± = c ± 1/255, except P(0) = σ((c⁺ − μ)/s) (all mass below the
 *   first bin) and P(255) = 1 − σ((c⁻ − μ)/s) (all mass above the last): the 256 probabilities sum to 1,
 *   so log p(x|z) is a log-probability of the 8-bit data and the ELBO a bound on log p(x) in nats.
 *
 * The middle bins use log(σ(a) − σ(b)) = log σ(a) + log σ(−b) + log(1 − e^−(a−b)), with a − b = (2/255)/s
 * computed directly (no cancellation): exact in the far tails, where σ(a) − σ(b) underflows and PixelCNN++
 * falls back to a midpoint rule that is off by nats when s is small. The fallback kept here is for the
 * other tiny-difference case, a bin narrow against the scale ((2/255)/s < MIDPOINT_BELOW): there
 * log P = log pdf(c) + log(2/255) is exact to (2/255 / s)²/24 and stays finite when 1/s underflows.
 * `logLikelihoodPerImage` sums over every pixel and channel (nats); `bitsPerDim` turns nats into bits/dim.
 */
import * as tf from '@tensorflow/tfjs-core';
// tf.grad of these ops needs tfjs-core's gradients, which tfjs-layers registers (its node bundle carries them).
import '@tensorflow/tfjs-layers';
import type { Likelihood } from '@cvae/formats';
import { sigmoidCrossEntropyRowSums } from '@cvae/tfjs-kernels';

export type { Likelihood };

/** The 8-bit levels a discretized-logistic pixel takes. */
export const LOGISTIC_LEVELS = 256;
/** Log-scales are clamped from below here (as in PixelCNN++): s ≥ e^−7 ≈ 0.0009, a bin is ≤ ~8.6 scales wide. */
export const LOG_SCALE_MIN = -7;
/** Half the width of one bin on the [−1, 1] scale: 255 bins of width 2/255 between the 256 centres. */
export const BIN_HALF_WIDTH = 1 / (LOGISTIC_LEVELS - 1);
/** Below this bin width in scale units, (2/255)/s, the middle bins use log pdf(c) + log(bin width). */
export const MIDPOINT_BELOW = 1e-3;
/** Bin centres beyond ±EDGE are the first and last levels (PixelCNN++'s ±0.999; the next centre is ±0.992). */
const EDGE = 0.999;
/** Uniforms for sampling stay inside (0, 1) so the logistic's inverse CDF is finite. */
const UNIFORM_MARGIN = 1e-5;

/** Channels the decoder's last layer outputs for images of `imageChannels` channels: C logits, or C means + C log-scales. */
export function decoderChannels(likelihood: Likelihood, imageChannels: number): number {
  if (!Number.isInteger(imageChannels) || imageChannels < 1) {
    throw new Error(`decoderChannels: imageChannels must be a positive integer, got ${imageChannels}`);
  }
  return likelihood.kind === 'bernoulli' ? imageChannels : 2 * imageChannels;
}

/** [means, logScales] of a discretized-logistic decoder output (channels split: means first), log-scales clamped. */
export function logisticParameters(decoderOutput: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  return tf.tidy(() => {
    const [means, logScales] = tf.split(decoderOutput, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    return [means, tf.maximum(logScales, LOG_SCALE_MIN)];
  });
}

/**
 * log P(level) per element for pixels `x` (level/255 in [0, 1]) under logistics of mean `means` and log-scale
 * `logScales` (raw decoder outputs, clamped here), broadcasting as tf's elementwise ops do. In nats.
 */
export function discretizedLogisticLogProb(x: tf.Tensor, means: tf.Tensor, logScales: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const logScale = tf.maximum(logScales, LOG_SCALE_MIN);
    const inverseScale = tf.exp(tf.neg(logScale));
    const centre = tf.sub(tf.mul(x, 2), 1); // the bin centre c on the [−1, 1] scale
    const centred = tf.sub(centre, means);
    const upper = tf.mul(tf.add(centred, BIN_HALF_WIDTH), inverseScale); // a = (c⁺ − μ)/s
    const lower = tf.mul(tf.sub(centred, BIN_HALF_WIDTH), inverseScale); // b = (c⁻ − μ)/s
    const binWidth = tf.mul(inverseScale, 2 * BIN_HALF_WIDTH); // a − b, without subtracting them
    const logCdfUpper = tf.neg(tf.softplus(tf.neg(upper))); // log σ(a)
    const logSurvivalLower = tf.neg(tf.softplus(lower)); // log(1 − σ(b)) = log σ(−b)
    const middle = tf.where(
      tf.greaterEqual(binWidth, MIDPOINT_BELOW),
      tf.add(tf.add(logCdfUpper, logSurvivalLower), logOneMinusExpNeg(binWidth)),
      logMidpointMass(tf.mul(centred, inverseScale), logScale),
    );
    return tf.where(tf.less(centre, -EDGE), logCdfUpper, tf.where(tf.greater(centre, EDGE), logSurvivalLower, middle));
  });
}

/**
 * log(1 − e^−d) for bin widths d ≥ MIDPOINT_BELOW (the other branch of a `where` also sees smaller d, whose
 * zero gradient must not meet an infinite one: d is floored first).
 */
function logOneMinusExpNeg(d: tf.Tensor): tf.Tensor {
  return tf.log(tf.neg(tf.expm1(tf.neg(tf.maximum(d, MIDPOINT_BELOW)))));
}

/** log(pdf(c) · 2/255) with pdf the logistic density at the bin centre: m − log s − 2 softplus(m) + log(2/255), m = (c − μ)/s. */
function logMidpointMass(standardized: tf.Tensor, logScale: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.sub(standardized, logScale), tf.mul(tf.softplus(standardized), 2)), Math.log(2 * BIN_HALF_WIDTH));
}

/**
 * log p(x|z) per image, summed over every pixel and channel, in nats (`Tensor1D`, one value per decoder row).
 * `x` [n, H, W, C]: {0, 1} floats (bernoulli) or level/255 (discretized-logistic). `decoderOutput`
 * [n·repeat, H, W, decoderChannels(likelihood, C)]: image j of `x` serves rows j·repeat … j·repeat + repeat − 1
 * (IWAE's k samples), so the images are never copied.
 */
export function logLikelihoodPerImage(likelihood: Likelihood, x: tf.Tensor4D, decoderOutput: tf.Tensor4D, repeat = 1): tf.Tensor1D {
  checkShapes(likelihood, x, decoderOutput, repeat);
  if (likelihood.kind === 'bernoulli') return tf.tidy(() => tf.neg(sigmoidCrossEntropyRowSums(decoderOutput, x, repeat)) as tf.Tensor1D);
  return tf.tidy(() => {
    const [count, height, width, channels] = x.shape;
    const values = height * width * channels;
    const [means, logScales] = tf.split(decoderOutput, 2, 3);
    const rows = (t: tf.Tensor) => tf.reshape(t, [count, repeat, values]);
    const logProbs = discretizedLogisticLogProb(tf.reshape(x, [count, 1, values]), rows(means), rows(logScales));
    return tf.reshape(tf.sum(logProbs, 2), [count * repeat]) as tf.Tensor1D;
  });
}

function checkShapes(likelihood: Likelihood, x: tf.Tensor4D, decoderOutput: tf.Tensor4D, repeat: number): void {
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`logLikelihoodPerImage: repeat must be a positive integer, got ${repeat}`);
  const [count, height, width, channels] = x.shape;
  const expected = [count * repeat, height, width, decoderChannels(likelihood, channels)];
  if (decoderOutput.shape.length !== 4 || expected.some((size, i) => decoderOutput.shape[i] !== size)) {
    const layout = likelihood.kind === 'bernoulli' ? 'logits' : 'means then log-scales';
    throw new Error(
      `logLikelihoodPerImage (${likelihood.kind}): decoder output [${decoderOutput.shape}] does not fit images [${x.shape}] ` +
        `with repeat ${repeat}: expected [${expected}] (${layout})`,
    );
  }
}

/**
 * What to show for a decoder output, in [0, 1] with the images' channels: the pixel probabilities σ(logits)
 * (bernoulli), or the means clipped to [−1, 1] and mapped back to [0, 1] (discretized-logistic).
 */
export function meanImage(likelihood: Likelihood, decoderOutput: tf.Tensor4D): tf.Tensor4D {
  if (likelihood.kind === 'bernoulli') return tf.sigmoid(decoderOutput);
  return tf.tidy(() => {
    const [means] = tf.split(decoderOutput, 2, 3);
    return tf.div(tf.add(tf.clipByValue(means, -1, 1), 1), 2) as tf.Tensor4D;
  });
}

/**
 * One draw from p(x|z) per pixel, as the data is represented: {0, 1} (bernoulli) or level/255 (discretized-logistic:
 * μ + s·logit(u) clipped to [−1, 1] and rounded to the nearest bin centre, which is exactly a draw of P(k)).
 * `seed` seeds the one `tf.randomUniform` draw, so the same seed gives the same image.
 */
export function sampleImage(likelihood: Likelihood, decoderOutput: tf.Tensor4D, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    if (likelihood.kind === 'bernoulli') {
      const u = tf.randomUniform(decoderOutput.shape, 0, 1, 'float32', seed);
      return tf.cast(tf.less(u, tf.sigmoid(decoderOutput)), 'float32') as tf.Tensor4D;
    }
    const [means, logScales] = logisticParameters(decoderOutput);
    const u = tf.randomUniform(means.shape, UNIFORM_MARGIN, 1 - UNIFORM_MARGIN, 'float32', seed);
    const draw = tf.add(means, tf.mul(tf.exp(logScales), tf.sub(tf.log(u), tf.log1p(tf.neg(u)))));
    const level = tf.round(tf.mul(tf.add(tf.clipByValue(draw, -1, 1), 1), (LOGISTIC_LEVELS - 1) / 2));
    return tf.div(level, LOGISTIC_LEVELS - 1) as tf.Tensor4D;
  });
}

/** Bits per dimension of a negative log-likelihood (or −ELBO) of `nllNats` over `dims` = H·W·C values: nats / (dims · ln 2). */
export function bitsPerDim(nllNats: number, dims: number): number {
  if (!Number.isInteger(dims) || dims < 1) throw new Error(`bitsPerDim: dims must be a positive integer, got ${dims}`);
  return nllNats / (dims * Math.LN2);
}
