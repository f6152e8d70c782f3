/**
 * Kernels of whole layers — y = act(op(x, W) + b) — that this package adds to tfjs's registry, with
 * their gradients (see gradients.ts) and ops (ops.ts). tfjs has FusedConv2D and _FusedMatMul, but
 * while gradients are recorded its fused ops split a relu layer back into conv + Add + Relu (and
 * their gradients into Step, Cast, Multiply and Sum); these kernels keep a layer one kernel forward
 * and one pass plus the two conv gradients backward.
 */
import type { FusedActivation } from '../wasm/simd/conv-module';

export type { FusedActivation } from '../wasm/simd/conv-module';

/** act(conv2d(x, filter) + bias); inputs x [B,H,W,C], filter [KH,KW,C,CO], bias [CO]. */
export const FUSED_CONV2D = 'CvaeFusedConv2D';
/** act(conv2dTranspose(x, filter) + bias); inputs x [B,h,w,CO], filter [KH,KW,C,CO], bias [C]; output outputShape. */
export const FUSED_CONV2D_TRANSPOSE = 'CvaeFusedConv2DTranspose';
/** act(a · b + bias); inputs a [M,K], b [K,N], bias [N]. */
export const FUSED_MATMUL = 'CvaeFusedMatMul';
/** [dz, dbias] of y = act(z + bias) from dy and y: dz = dy · act'(y), dbias = column sums of dz. */
export const BIAS_ACTIVATION_GRAD = 'CvaeBiasActivationGrad';

/**
 * Per-row sums of the sigmoid cross-entropy with logits: out[r] = Σ max(l, 0) − l·x + log(1 + e^−|l|)
 * over logits' non-batch axes, against labels whose rows each serve `repeat` consecutive logit rows
 * (k importance samples of one image). Inputs logits [R, ...], labels [R / repeat, ...]; output [R].
 */
export const SIGMOID_CROSS_ENTROPY = 'CvaeSigmoidCrossEntropy';
/** Its gradient w.r.t. the logits: dy[r] · (σ(l) − x). Inputs dy [R], logits, labels; output like logits. */
export const SIGMOID_CROSS_ENTROPY_GRAD = 'CvaeSigmoidCrossEntropyGrad';

export interface SigmoidCrossEntropyAttrs {
  repeat: number;
}

export type Padding = 'valid' | 'same';

export interface FusedConvAttrs {
  strides: number | [number, number];
  pad: Padding;
  activation: FusedActivation;
}

export interface FusedConvTransposeAttrs extends FusedConvAttrs {
  outputShape: [number, number, number, number];
}

export interface FusedMatMulAttrs {
  activation: FusedActivation;
}

export interface BiasActivationGradAttrs {
  activation: FusedActivation;
}

/** The conv attrs tfjs's own conv kernels take (NHWC, dilation 1). */
export function tfjsConvAttrs(strides: number | [number, number], pad: Padding): { strides: number | [number, number]; pad: Padding; dataFormat: 'NHWC'; dilations: 1 } {
  return { strides, pad, dataFormat: 'NHWC', dilations: 1 };
}
