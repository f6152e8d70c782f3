/**
 * The convolutions of the cvae workspace's model presets (`MODEL_PRESETS` in @cvae/model's
 * architecture.ts), written out literally: this package is a leaf and imports no @cvae package.
 * Every case is a forward-conv geometry; a `conv2dTranspose` layer from A to B is the
 * Conv2DBackpropInput of the conv from B to A, so its case has xShape B and filter [3, 3, B's
 * channels, A's channels]. The specs run each case forward and through both gradients.
 * Small batches keep the stock cpu reference (per-element loops: seconds for a filter gradient) cheap.
 */
import { ConvCase } from './kernel-harness';

type Shape = ConvCase['xShape'];

const conv3x3 = (label: string, xShape: Shape, outChannels: number, strides: number): ConvCase => ({
  label,
  xShape,
  filterShape: [3, 3, xShape[3], outChannels],
  strides,
  pad: 'same',
});

/** A `conv2dTranspose` layer (3×3, 'same') from `inChannels` channels to the image `outShape`. */
const deconv3x3 = (label: string, outShape: Shape, inChannels: number, strides: number): ConvCase => conv3x3(label, outShape, inChannels, strides);

/**
 * Every layer of conv32-rgb (32×32×3, discretized logistic) and conv64-rgb's first layer, at batch 2.
 * conv64-rgb's other layers are these geometries at twice the size or with 256 channels; they run
 * end to end in @cvae/model's preset-kernels spec (the stock reference of a 256-channel filter
 * gradient alone would take tens of seconds here).
 */
export const PRESET_LAYER_CASES: ConvCase[] = [
  conv3x3('conv32-rgb encoder_conv1 b2 32x32x3->16x16x32 s2 same', [2, 32, 32, 3], 32, 2),
  conv3x3('conv32-rgb encoder_conv2 b2 16x16x32->8x8x64 s2 same', [2, 16, 16, 32], 64, 2),
  conv3x3('conv32-rgb encoder_conv3 b2 8x8x64->4x4x128 s2 same', [2, 8, 8, 64], 128, 2),
  conv3x3('conv64-rgb encoder_conv1 b2 64x64x3->32x32x32 s2 same', [2, 64, 64, 3], 32, 2),
  deconv3x3('conv32-rgb decoder_deconv1 (T) b2 4x4x128->8x8x128 s2 same', [2, 8, 8, 128], 128, 2),
  deconv3x3('conv32-rgb decoder_deconv2 (T) b2 8x8x128->16x16x64 s2 same', [2, 16, 16, 64], 128, 2),
  deconv3x3('conv32-rgb decoder_deconv3 (T) b2 16x16x64->32x32x32 s2 same', [2, 32, 32, 32], 64, 2),
  deconv3x3('conv32-rgb decoder_output (T) b2 32x32x32->32x32x6 s1 same (means, log-scales)', [2, 32, 32, 6], 32, 1),
];

/**
 * 'same' padding at odd and even sizes around the presets' geometry: an odd size pads 1 before
 * (tiles: the Winograd input gradient needs no leading padding), an even one 0 before and 1 after,
 * and an even size that is not a multiple of 4 leaves partial Winograd tiles (taken only with
 * CVAE_WASM_WINOGRAD=always there: it needs more multiplies than the direct kernel).
 */
export const PRESET_PADDING_CASES: ConvCase[] = [
  conv3x3('rgb first layer b3 15x16x3->8x8x32 s2 same (odd height: pad 1 before; even width: 0)', [3, 15, 16, 3], 32, 2),
  deconv3x3('rgb upsampling (T) b2 5x4x32->9x8x16 s2 same (odd height: pad 1 before)', [2, 9, 8, 16], 32, 2),
  deconv3x3('rgb upsampling (T) b3 6x3x16->12x6x16 s2 same (even, not multiples of 4)', [3, 12, 6, 16], 16, 2),
  deconv3x3('rgb output (T) b2 7x9x32->7x9x6 s1 same (odd sizes)', [2, 7, 9, 6], 32, 1),
];

export const PRESET_CASES: ConvCase[] = [...PRESET_LAYER_CASES, ...PRESET_PADDING_CASES];
