/**
 * @cvae/tfjs-kernels — training kernels for TensorFlow.js's wasm and cpu backends.
 *
 * Importing this module registers them (idempotent): on wasm, Conv2DBackpropFilter (which
 * tfjs-backend-wasm lacks, so a conv layer cannot train there without it) and conv.wasm SIMD
 * kernels for Conv2D, Conv2DBackpropInput and Sum; on cpu, im2col Conv2D and both conv gradients.
 * Then `await tf.setBackend('wasm')` and train as usual.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { registerTrainingKernels } from './register';

registerTrainingKernels('wasm');
registerTrainingKernels('cpu');

export { registerTrainingKernels, originalKernel, convKernelsDescription, convSimdBuild, TRAINING_KERNELS, TRAINING_KERNEL_NAMES } from './register';
export type { ConvSimdBuild, TrainingKernelBackend } from './register';
export { initBackend, parseBackendPreference, preferenceOf, BACKEND_PREFERENCES } from './backend';
export type { BackendChoice, BackendPreference } from './backend';
export { conv2dBiasActivation, conv2dTransposeBiasActivation, denseBiasActivation, sigmoidCrossEntropyRowSums } from './fused/ops';
export { FUSED_CONV2D, FUSED_CONV2D_TRANSPOSE, FUSED_MATMUL, BIAS_ACTIVATION_GRAD, SIGMOID_CROSS_ENTROPY, SIGMOID_CROSS_ENTROPY_GRAD } from './fused/names';
export type { FusedActivation, FusedConvAttrs, FusedConvTransposeAttrs, Padding } from './fused/names';
export { AdamBuffers } from './adam';
export type { AdamConstants } from './adam';
export { readFloat32Into } from './read';
