/**
 * The likelihoods against plain float64 JS references (the discretized logistic as CDF(upper) − CDF(lower),
 * the Bernoulli as loss.ts computes it), on the cpu and wasm backends.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@cvae/dataset';
import { initBackend } from '@cvae/tfjs-kernels';
import { bernoulliLogLikelihood, sigmoidCrossEntropyWithLogits } from './loss';
import {
  LOG_SCALE_MIN,
  MIDPOINT_BELOW,
  bitsPerDim,
  decoderChannels,
  discretizedLogisticLogProb,
  logLikelihoodPerImage,
  meanImage,
  sampleImage,
} from './likelihood';

const BERNOULLI = { kind: 'bernoulli' } as const;
const LOGISTIC = { kind: 'discretized-logistic' } as const;
const LEVELS = Array.from({ length: 256 }, (_, k) => k);

// ---- float64 references, written from the definition (no shared code with likelihood.ts) ----

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * P(level) = CDF(c + 1/255) − CDF(c − 1/255), c = 2·level/255 − 1, with CDF(+∞) = 1 at level 255 and CDF(−∞) = 0
 * at level 0. Bins above the mean subtract survival functions instead (the same difference, without float64
 * cancellation near 1).
 */
function referenceProbability(level: number, mean: number, logScale: number): number {
  const scale = Math.exp(Math.max(logScale, LOG_SCALE_MIN));
  const centre = (2 * level) / 255 - 1;
  const [lowerEdge, upperEdge] = [centre - 1 / 255, centre + 1 / 255];
  const cdf = (edge: number) => sigmoid((edge - mean) / scale);
  const survival = (edge: number) => sigmoid((mean - edge) / scale);
  if (lowerEdge > mean) return (level === 0 ? 1 : survival(lowerEdge)) - (level === 255 ? 0 : survival(upperEdge));
  return (level === 255 ? 1 : cdf(upperEdge)) - (level === 0 ? 0 : cdf(lowerEdge));
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

/** Float32 agreement: |actual − expected| within `relative` of max(1, |expected|). */
function expectClose(actual: number, expected: number, relative = 1e-6): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(relative * Math.max(1, Math.abs(expected)));
}

/** tf's log P for every level of one pixel (rows: the (mean, logScale) pairs; columns: levels 0..255). */
function tfLogProbabilities(pairs: [number, number][]): number[][] {
  const logProbs = tf.tidy(() =>
    discretizedLogisticLogProb(
      tf.tensor2d([LEVELS.map((k) => k / 255)]),
      tf.tensor2d(pairs.map(([m]) => [m])),
      tf.tensor2d(pairs.map(([, s]) => [s])),
    ),
  );
  const flat = values(logProbs);
  logProbs.dispose();
  return pairs.map((_, row) => flat.slice(row * 256, (row + 1) * 256));
}

function seededPairs(count: number, seed: number, logScales: [number, number]): [number, number][] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, () => [random.uniform() * 2.4 - 1.2, logScales[0] + random.uniform() * (logScales[1] - logScales[0])]);
}

describe.each(['cpu', 'wasm'])('likelihoods on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  describe('discretized logistic: one pixel against the brute-force CDF differences', () => {
    const pairs = seededPairs(24, 1, [-5, 1]);

    it('the float64 reference sums to 1 over the 256 levels (the edges take the tails)', () => {
      for (const [mean, logScale] of pairs) {
        expect(Math.abs(LEVELS.reduce((sum, k) => sum + referenceProbability(k, mean, logScale), 0) - 1)).toBeLessThan(1e-12);
      }
    });

    it('tf float32 probabilities sum to 1 within 1e-5 and each equals CDF(upper) − CDF(lower)', () => {
      tfLogProbabilities(pairs).forEach((logProbs, row) => {
        const [mean, logScale] = pairs[row];
        expect(Math.abs(logProbs.reduce((sum, lp) => sum + Math.exp(lp), 0) - 1)).toBeLessThan(1e-5);
        logProbs.forEach((lp, k) => {
          const reference = referenceProbability(k, mean, logScale);
          expect(Math.abs(Math.exp(lp) - reference)).toBeLessThan(2e-6);
          // In log space too, so the tails (probabilities of 1e-100) are checked as well, not just the mode.
          if (reference > 1e-300) expect(Math.abs(lp - Math.log(reference))).toBeLessThan(1e-4 * Math.max(1, Math.abs(Math.log(reference)) / 10));
        });
      });
    });

    it('levels 0 and 255 are σ(upper) and 1 − σ(lower): all the mass beyond the range', () => {
      const [[mean, logScale]] = pairs;
      const scale = Math.exp(logScale);
      const [logProbs] = tfLogProbabilities([[mean, logScale]]);
      expectClose(logProbs[0], Math.log(sigmoid((-1 + 1 / 255 - mean) / scale)));
      expectClose(logProbs[255], Math.log(1 - sigmoid((1 - 1 / 255 - mean) / scale)));
      // A mean beyond either end puts nearly everything in that end's level, far more than its bin's width.
      const [below, above] = tfLogProbabilities([[-3, -3], [3, -3]]);
      expect(below[0]).toBeGreaterThan(-1e-6);
      expect(above[255]).toBeGreaterThan(-1e-6);
      expect(below[1]).toBeLessThan(-20);
    });
  });

  describe('discretized logistic: extreme log-scales', () => {
    it('a tiny scale (clamped at −7) puts its mass in one bin: log-prob near 0, neighbours and far tails finite', () => {
      const centre = (2 * 100) / 255 - 1;
      const [clamped, belowClamp] = tfLogProbabilities([[centre, LOG_SCALE_MIN], [centre, -50]]);
      const halfBin = 1 / 255 / Math.exp(LOG_SCALE_MIN);
      expect(clamped[100]).toBeCloseTo(Math.log(sigmoid(halfBin) - sigmoid(-halfBin)), 5);
      expect(clamped[100]).toBeGreaterThan(-0.03);
      expect(belowClamp).toEqual(clamped);
      expect(clamped.every(Number.isFinite)).toBe(true);
      // Level 255, ~170 bins up: b = (c⁻ − μ)/s ≈ 1460; log P = log σ(−b) ≈ −b, where σ(a) − σ(b) underflows to 0.
      const b = (1 - 1 / 255 - centre) / Math.exp(LOG_SCALE_MIN);
      expect(clamped[255]).toBeCloseTo(-b, 0);
      expect(Math.abs(clamped[254] - (-b + 2 * 1 / 255 / Math.exp(LOG_SCALE_MIN) + Math.log(1 - Math.exp(-2 / 255 / Math.exp(LOG_SCALE_MIN)))))).toBeLessThan(b * 1e-5);
    });

    it('large scales: mass to the two edge levels, middle bins pdf × bin width, no NaN up to log-scale 200', () => {
      const logScales = [3, 5, 20, 100, 200];
      tfLogProbabilities(logScales.map((s) => [0.3, s])).forEach((logProbs, row) => {
        const logScale = logScales[row];
        expect(logProbs.every(Number.isFinite)).toBe(true);
        expect(Math.abs(logProbs.reduce((sum, lp) => sum + Math.exp(lp), 0) - 1)).toBeLessThan(1e-4);
        // A logistic far wider than [−1, 1]: density 1/(4s) near its mean, times the bin width 2/255.
        const flat = Math.log(2 / 255) - logScale - 2 * Math.LN2;
        expect(logProbs[128]).toBeCloseTo(logScale <= 5 ? Math.log(referenceProbability(128, 0.3, logScale)) : flat, 4);
      });
    });

    it('is continuous where the middle bins switch to the midpoint rule (bin width = MIDPOINT_BELOW scales)', () => {
      const switchAt = Math.log(2 / 255 / MIDPOINT_BELOW);
      const [exact, midpoint] = tfLogProbabilities([[0.2, switchAt - 1e-5], [0.2, switchAt + 1e-5]]);
      exact.forEach((lp, k) => expect(Math.abs(lp - midpoint[k])).toBeLessThan(5e-5));
      expect(midpoint[40]).toBeCloseTo(Math.log(referenceProbability(40, 0.2, switchAt + 1e-5)), 5);
    });
  });

  describe('discretized logistic: gradients', () => {
    // One image 2×3, C = 1: ordinary pixels, edge levels, a clamped log-scale, a far tail and a huge scale.
    const levels = [0, 37, 128, 200, 255, 90];
    const pairs: [number, number][] = [[-0.8, -2], [-0.6, -3.5], [0.1, 0.4], [-0.9, -6], [0.95, -8], [0.3, 4]];
    const weights = [1, -0.5];

    /** Σ_rows weight · Σ_pixels log P, in float64, as a function of the flat decoder output (means, log-scales interleaved). */
    function referenceObjective(flat: number[]): number {
      return weights.reduce((total, w, row) => {
        const rowSum = levels.reduce((sum, level, p) => sum + Math.log(referenceProbability(level, flat[row * 12 + 2 * p], flat[row * 12 + 2 * p + 1])), 0);
        return total + w * rowSum;
      }, 0);
    }

    it("tf's gradient w.r.t. the means and log-scales is finite and matches central differences of the reference", () => {
      const flat = [...pairs.flat(), ...pairs.map(([m, s]) => [m + 0.05, s + 0.3]).flat()];
      const analytic = tf.tidy(() => {
        const x = tf.tensor4d(levels.map((k) => k / 255), [1, 2, 3, 1]);
        const objective = (output: tf.Tensor) => tf.sum(tf.mul(logLikelihoodPerImage(LOGISTIC, x, output as tf.Tensor4D, 2), tf.tensor1d(weights)));
        return values(tf.grad(objective)(tf.tensor4d(flat, [2, 2, 3, 2])));
      });
      expect(analytic.every(Number.isFinite)).toBe(true);
      const step = 1e-6;
      analytic.forEach((g, i) => {
        const at = (delta: number) => referenceObjective(flat.map((v, j) => (j === i ? v + delta : v)));
        const numeric = (at(step) - at(-step)) / (2 * step);
        expect(Math.abs(g - numeric)).toBeLessThan(1e-4 * Math.max(1, Math.abs(numeric)));
      });
      // The log-scale below the clamp (pixel 4 of row 0: −8 → −7) gets no gradient.
      expect(analytic[9]).toBe(0);
    });

    it('stays finite for log-scales of −50 and 200 and means far outside [−1, 1]', () => {
      const gradient = tf.tidy(() => {
        const x = tf.tensor4d([1, 0, 0.5, 1 / 255], [1, 2, 2, 1]);
        const output = tf.tensor4d([-50, -50, 0.2, 200, -9, -50, 9, 200], [1, 2, 2, 2]);
        return values(tf.grad((o: tf.Tensor) => tf.sum(logLikelihoodPerImage(LOGISTIC, x, o as tf.Tensor4D)))(output));
      });
      expect(gradient.every(Number.isFinite)).toBe(true);
    });
  });

  describe('logLikelihoodPerImage', () => {
    it('sums log P over the pixels of each image (logistic), each image serving `repeat` rows', () => {
      const random = new SeededRandom(4);
      const levels = Array.from({ length: 2 * 4 * 3 * 3 }, () => Math.floor(random.uniform() * 256));
      const pairs = seededPairs(2 * 2 * 4 * 3 * 3, 5, [-4, 0]);
      const x = tf.tensor4d(levels.map((k) => k / 255), [2, 4, 3, 3]);
      // Channels split: the 3 means of a pixel, then its 3 log-scales.
      const perPixel = Array.from({ length: 2 * 2 * 4 * 3 }, (_, p) => pairs.slice(p * 3, p * 3 + 3));
      const output = tf.tensor4d(perPixel.flatMap((px) => [...px.map(([m]) => m), ...px.map(([, s]) => s)]), [4, 4, 3, 6]);
      const actual = values(logLikelihoodPerImage(LOGISTIC, x, output, 2));
      tf.dispose([x, output]);
      const perImageValues = 4 * 3 * 3;
      const expected = [0, 1, 2, 3].map((row) => {
        const image = Math.floor(row / 2);
        return pairs.slice(row * perImageValues, (row + 1) * perImageValues).reduce((sum, [m, s], i) => sum + Math.log(referenceProbability(levels[image * perImageValues + i], m, s)), 0);
      });
      actual.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-3 + 1e-5 * Math.abs(expected[i])));
    });

    it('bernoulli: the per-image BCE-with-logits of loss.ts (its kernel and its elementwise formula), with repeat', () => {
      const random = new SeededRandom(6);
      const logits = tf.tensor4d(Array.from({ length: 6 * 28 * 28 }, () => random.normal() * 4), [6, 28, 28, 1]);
      const x = tf.tensor4d(Array.from({ length: 3 * 28 * 28 }, () => (random.uniform() < 0.3 ? 1 : 0)), [3, 28, 28, 1]);
      const xTwice = tf.tidy(() => tf.reshape(tf.tile(tf.expandDims(x, 1), [1, 2, 1, 1, 1]), [6, 28, 28, 1]) as tf.Tensor4D);
      const ours = values(logLikelihoodPerImage(BERNOULLI, x, logits, 2));
      const lossKernel = values(bernoulliLogLikelihood(logits, x, 2));
      const elementwise = values(tf.neg(tf.sum(sigmoidCrossEntropyWithLogits(logits, xTwice), [1, 2, 3])));
      const [l, xs] = [values(logits), values(xTwice)];
      const naive = [0, 1, 2, 3, 4, 5].map((row) =>
        l.slice(row * 784, (row + 1) * 784).reduce((sum, li, i) => sum + xs[row * 784 + i] * Math.log(sigmoid(li)) + (1 - xs[row * 784 + i]) * Math.log(1 - sigmoid(li)), 0),
      );
      ours.forEach((v, i) => {
        expect(v).toBe(lossKernel[i]);
        expect(Math.abs(v - elementwise[i])).toBeLessThan(1e-3 + 1e-5 * Math.abs(naive[i]));
        expect(Math.abs(v - naive[i])).toBeLessThan(1e-3 + 1e-5 * Math.abs(naive[i]));
      });
      tf.dispose([logits, x, xTwice]);
    });

    it('rejects a decoder output of the wrong shape with one line naming both shapes', () => {
      const x = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
      const logits = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
      expect(() => logLikelihoodPerImage(LOGISTIC, x, logits)).toThrow(
        'logLikelihoodPerImage (discretized-logistic): decoder output [2,4,4,3] does not fit images [2,4,4,3] with repeat 1: expected [2,4,4,6] (means then log-scales)',
      );
      expect(() => logLikelihoodPerImage(BERNOULLI, x, logits, 2)).toThrow('expected [4,4,4,3] (logits)');
      tf.dispose([x, logits]);
    });

    it('releases every intermediate tensor', () => {
      const x = tf.fill([2, 3, 3, 1], 0.5) as tf.Tensor4D;
      const output = tf.zeros([2, 3, 3, 2]) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      logLikelihoodPerImage(LOGISTIC, x, output).dispose();
      meanImage(LOGISTIC, output).dispose();
      sampleImage(LOGISTIC, output, 1).dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, output]);
    });
  });

  describe('meanImage and sampleImage', () => {
    it('meanImage: σ(logits), or the means clipped to [−1, 1] mapped to [0, 1] (log-scales ignored)', () => {
      const logits = tf.tensor4d([-2, 0, 3, 40], [1, 2, 2, 1]);
      expect(values(meanImage(BERNOULLI, logits)).map((v) => Number(v.toFixed(6)))).toEqual([-2, 0, 3, 40].map((l) => Number(sigmoid(l).toFixed(6))));
      const output = tf.tensor4d([-1.5, 4, -0.5, -3, 0.2, 1, 1.7, 0], [1, 2, 2, 2]);
      expect(values(meanImage(LOGISTIC, output))).toEqual([0, 0.25, 0.6000000238418579, 1]);
      tf.dispose([logits, output]);
    });

    it('sampleImage (logistic) draws levels with the probabilities logLikelihoodPerImage assigns, the same for one seed', () => {
      const draws = 20000;
      const [mean, logScale] = [-0.93, -3];
      const output = tf.tidy(() => tf.tile(tf.tensor4d([mean, logScale], [1, 1, 1, 2]), [draws, 1, 1, 1]) as tf.Tensor4D);
      const sample = values(sampleImage(LOGISTIC, output, 42));
      expect(values(sampleImage(LOGISTIC, output, 42))).toEqual(sample);
      expect(values(sampleImage(LOGISTIC, output, 43))).not.toEqual(sample);
      output.dispose();
      const counts = new Array<number>(256).fill(0);
      sample.forEach((v) => (counts[Math.round(v * 255)] += 1));
      // Every draw is a level k/255 (to float32 rounding).
      expect(Math.max(...sample.map((v) => Math.abs(v * 255 - Math.round(v * 255))))).toBeLessThan(1e-4);
      // Every frequency within ~4 standard errors of its probability; level 0 takes the whole lower tail (P ≈ 0.21).
      const probabilities = LEVELS.map((k) => referenceProbability(k, mean, logScale));
      LEVELS.forEach((k) => expect(Math.abs(counts[k] / draws - probabilities[k])).toBeLessThan(0.012));
      expect(probabilities[0]).toBeGreaterThan(0.2);
      // The mean level within ~4 standard errors (0.08 levels): half a bin off (floor for round) is 0.5.
      const meanLevel = (weights: number[]) => weights.reduce((sum, w, k) => sum + w * k, 0);
      expect(Math.abs(meanLevel(counts) / draws - meanLevel(probabilities))).toBeLessThan(0.3);
    });

    it('sampleImage (bernoulli) draws {0, 1} with probability σ(logit), the same for one seed', () => {
      const draws = 20000;
      const logits = tf.tidy(() => tf.tile(tf.tensor4d([-1, 2], [1, 1, 1, 2]), [draws, 1, 1, 1]) as tf.Tensor4D);
      const sample = values(sampleImage(BERNOULLI, logits, 7));
      expect(values(sampleImage(BERNOULLI, logits, 7))).toEqual(sample);
      logits.dispose();
      expect(sample.every((v) => v === 0 || v === 1)).toBe(true);
      const frequency = (channel: number) => sample.filter((v, i) => i % 2 === channel && v === 1).length / draws;
      expect(Math.abs(frequency(0) - sigmoid(-1))).toBeLessThan(0.015);
      expect(Math.abs(frequency(1) - sigmoid(2))).toBeLessThan(0.015);
    });
  });
});

describe('decoderChannels and bitsPerDim', () => {
  it('decoderChannels: C logits, or C means and C log-scales', () => {
    expect([decoderChannels(BERNOULLI, 1), decoderChannels(BERNOULLI, 3), decoderChannels(LOGISTIC, 1), decoderChannels(LOGISTIC, 3)]).toEqual([1, 3, 2, 6]);
    expect(() => decoderChannels(LOGISTIC, 0)).toThrow('decoderChannels: imageChannels must be a positive integer, got 0');
  });

  it('bitsPerDim = nats / (dims · ln 2)', () => {
    expect(bitsPerDim(784 * Math.LN2, 784)).toBeCloseTo(1, 12);
    expect(bitsPerDim(100, 3072)).toBeCloseTo(100 / 3072 / Math.LN2, 12);
    // 8 bits/dim: a uniform distribution over the 256 levels of every value of a 32×32×3 image.
    expect(bitsPerDim(-32 * 32 * 3 * Math.log(1 / 256), 32 * 32 * 3)).toBeCloseTo(8, 12);
    expect(() => bitsPerDim(1, 0)).toThrow('bitsPerDim: dims must be a positive integer, got 0');
  });

  it('bitsPerDim of the Bernoulli log-likelihood at logits 0 is exactly 1 bit per pixel', async () => {
    await initBackend('cpu');
    const x = tf.tensor4d(Array.from({ length: 2 * 784 }, (_, i) => i % 3 === 0 ? 1 : 0), [2, 28, 28, 1]);
    const logits = tf.zeros([2, 28, 28, 1]) as tf.Tensor4D;
    values(logLikelihoodPerImage(BERNOULLI, x, logits)).forEach((ll) => expect(bitsPerDim(-ll, 784)).toBeCloseTo(1, 5));
    tf.dispose([x, logits]);
  });
});
