/** Test shapes for conv.c (shared by the specs of its two builds). */
import { ConvCase } from './kernel-harness';
import { PRESET_CASES } from './preset-cases';

export const CONV_KERNELS = ['Conv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput'] as const;

/** Shapes aimed at conv.c's edges: stride 3, non-square strides, 1x1 and 5x5 filters, channel remainders, tile remainders. */
export const EDGE_CASES: ConvCase[] = [
  { label: 'b2 10x9 16->8 s3 same 5x5', xShape: [2, 10, 9, 16], filterShape: [5, 5, 16, 8], strides: 3, pad: 'same' },
  { label: 'b1 6x7 5->16 s2 same 4x4 (channel remainder)', xShape: [1, 6, 7, 5], filterShape: [4, 4, 5, 16], strides: 2, pad: 'same' },
  { label: 'b2 9x11 8->24 s[2,1] valid 3x2', xShape: [2, 9, 11, 8], filterShape: [3, 2, 8, 24], strides: [2, 1], pad: 'valid' },
  { label: 'b1 5x5 8->8 s1 same 1x1', xShape: [1, 5, 5, 8], filterShape: [1, 1, 8, 8], strides: 1, pad: 'same' },
  { label: 'b2 9x9 8->8 s2 valid 1x1 (pixels no tap reaches)', xShape: [2, 9, 9, 8], filterShape: [1, 1, 8, 8], strides: 2, pad: 'valid' },
  { label: 'b1 3x13 7->4 s[1,3] same 3x3 (dot, 4 channels)', xShape: [1, 3, 13, 7], filterShape: [3, 3, 7, 4], strides: [1, 3], pad: 'same' },
  { label: 'b2 28x28 32->64 s2 same (CVAE dec2 at batch 2)', xShape: [2, 28, 28, 32], filterShape: [3, 3, 32, 64], strides: 2, pad: 'same' },
  { label: 'b2 7x6 3->8 s1 valid 3x3 (stride-1 input grad as a product: 27 tap columns)', xShape: [2, 7, 6, 3], filterShape: [3, 3, 3, 8], strides: 1, pad: 'valid' },
  { label: 'b1 9x9 2->4 s1 same 5x5 (stride-1 input grad, pad 2, 50 tap columns)', xShape: [1, 9, 9, 2], filterShape: [5, 5, 2, 4], strides: 1, pad: 'same' },
  { label: 'b5 9x11 8->12 s2 valid 3x3 (Winograd input grad: odd sizes, 9 tiles, 4 + 1 images)', xShape: [5, 9, 11, 8], filterShape: [3, 3, 8, 12], strides: 2, pad: 'valid' },
  { label: 'b1 6x10 24->4 s2 same 3x3 (Winograd input grad: 3 channel panels, 4 dy channels)', xShape: [1, 6, 10, 24], filterShape: [3, 3, 24, 4], strides: 2, pad: 'same' },
  { label: 'b1 7x5 8->8 s2 same 3x3 (top padding 1: tiles, not Winograd)', xShape: [1, 7, 5, 8], filterShape: [3, 3, 8, 8], strides: 2, pad: 'same' },
];

/**
 * The edge shapes and the model presets' layers: every spec that runs conv.c's paths (both builds,
 * Winograd always/off, the XNNPACK fallbacks, the layer kernels) runs the presets' shapes too.
 * Labels here must not contain 'Winograd' or 'dec2': conv-simd.spec picks its edge cases by those words.
 */
export const SIMD_CASES: ConvCase[] = [...EDGE_CASES, ...PRESET_CASES];
