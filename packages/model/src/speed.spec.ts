import { tutorialArchitecture } from './architecture';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { cvaeFlops, layerFlops, measureConvPeakGflops } from './speed';

// Multiply-adds counted by hand from the layer list (output pixels × taps × in × out channels).
const ENCODER_MACS = [13 * 13 * 32 * 9 * 1, 6 * 6 * 64 * 9 * 32, 2304 * 4];
const DECODER_MACS = [2 * 1568, 7 * 7 * 32 * 9 * 64, 14 * 14 * 64 * 9 * 32, 28 * 28 * 32 * 9 * 1];

describe('the CVAE\'s arithmetic', () => {
  it('counts 2 FLOPs per multiply-add of every conv and dense layer', () => {
    const { encoder, decoder } = layerFlops(tutorialArchitecture(2));
    expect(encoder.map((l) => l.forward)).toEqual(ENCODER_MACS.map((m) => 2 * m));
    expect(decoder.map((l) => l.forward)).toEqual(DECODER_MACS.map((m) => 2 * m));
    expect(decoder.map((l) => l.name)).toEqual(['decoder_dense', 'decoder_deconv1', 'decoder_deconv2', 'decoder_logits']);
  });

  it('a decode is ~9.5 MFLOP and a training step ~3.3 GFLOP per 100 images (no gradient for the image itself)', () => {
    const flops = cvaeFlops(tutorialArchitecture(2));
    const sum = (macs: number[]) => 2 * macs.reduce((a, b) => a + b, 0);
    expect(flops.decode).toBe(sum(DECODER_MACS));
    expect(flops.encode).toBe(sum(ENCODER_MACS));
    expect(flops.trainingStep).toBe(3 * (sum(ENCODER_MACS) + sum(DECODER_MACS)) - 2 * ENCODER_MACS[0]);
    expect(flops.decode / 1e6).toBeCloseTo(9.49, 2);
    expect((100 * flops.trainingStep) / 1e9).toBeCloseTo(3.27, 2);
  });

  it('measures a positive, finite conv speed and frees its tensors', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const gflops = measureConvPeakGflops(1);
    expect(gflops).toBeGreaterThan(0);
    expect(Number.isFinite(gflops)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });
});
