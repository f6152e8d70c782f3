/**
 * The layer kernels (conv + bias + activation) on wasm against tfjs's stock cpu kernels: FusedConv2D
 * against cpu's FusedConv2D; CvaeFusedConv2DTranspose against cpu's Conv2DBackpropInput with the
 * bias and relu added on the host.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { Conv2DBackpropInput, FusedConv2D, NamedAttrMap } from '@tensorflow/tfjs-core';
import { FUSED_CONV2D, FUSED_CONV2D_TRANSPOSE, FusedActivation } from '../fused/names';
import { ConvCase, HostTensor, convAttrs, convKernelCall, hostTensor, registeredKernel, relativeMaxError, runKernel, stockCpuKernel, wasmReadyCpuActive } from './kernel-harness';

const TOLERANCE = 1e-4;
const { fround } = Math; // a local name: the global Math is slow to reach inside jest's vm context, per element

export const EPILOGUES: readonly { label: string; activation: FusedActivation; bias: boolean }[] = [
  { label: 'relu + bias', activation: 'relu', bias: true },
  { label: 'linear + bias', activation: 'linear', bias: true },
  { label: 'relu, no bias', activation: 'relu', bias: false },
];

/** act(v + bias[c]) on the host, in float32 like the kernels. */
export function hostBiasActivation(t: HostTensor, bias: HostTensor | undefined, activation: FusedActivation): HostTensor {
  const channels = t.shape[t.shape.length - 1];
  const values = t.values.map((v, i) => {
    const z = bias ? fround(v + bias.values[i % channels]) : v;
    return activation === 'relu' && z < 0 ? 0 : z;
  });
  return { shape: t.shape, values };
}

function caseRows(cases: readonly ConvCase[]) {
  return cases.flatMap((c, i) => EPILOGUES.map((e, j) => [`${c.label}, ${e.label}`, c, e, 5000 + 31 * i + j] as const));
}

export function describeFusedConvKernelsAgainstStockCpu(cases: readonly ConvCase[]): void {
  describe('wasm layer kernels (conv + bias + activation) vs tfjs stock cpu', () => {
    beforeAll(async () => {
      await wasmReadyCpuActive();
    });

    it('FusedConv2D and CvaeFusedConv2D are the same kernel', () => {
      expect(registeredKernel(FUSED_CONV2D, 'wasm')).toBe(registeredKernel(FusedConv2D, 'wasm'));
    });

    it.each(caseRows(cases))('FusedConv2D %s', (_label, c, e, seed) => {
      const { inputs } = convKernelCall('Conv2D', c, seed);
      const bias = hostTensor([c.filterShape[3]], seed + 7);
      const all = e.bias ? { ...inputs, bias } : inputs;
      const attrs = { ...convAttrs(c), dilations: 1, activation: e.activation } as unknown as NamedAttrMap;
      const expected = runKernel('cpu', stockCpuKernel(FusedConv2D), all, attrs);
      const actual = runKernel('wasm', registeredKernel(FusedConv2D, 'wasm'), all, attrs);
      expect(actual.shape).toEqual(expected.shape);
      expect(relativeMaxError(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
    });

    it.each(caseRows(cases))('CvaeFusedConv2DTranspose %s', (_label, c, e, seed) => {
      // A transposed conv from c's output back to its input: Conv2DBackpropInput with dy = the layer's input.
      const { inputs, attrs } = convKernelCall('Conv2DBackpropInput', c, seed);
      const bias = hostTensor([c.xShape[3]], seed + 7);
      const expected = hostBiasActivation(runKernel('cpu', stockCpuKernel(Conv2DBackpropInput), inputs, attrs), e.bias ? bias : undefined, e.activation);
      const layerInputs = { x: inputs['dy'], filter: inputs['filter'], ...(e.bias ? { bias } : {}) };
      const layerAttrs = { ...convAttrs(c), outputShape: c.xShape, activation: e.activation } as unknown as NamedAttrMap;
      const actual = runKernel('wasm', registeredKernel(FUSED_CONV2D_TRANSPOSE, 'wasm'), layerInputs, layerAttrs);
      expect(actual.shape).toEqual(expected.shape);
      expect(relativeMaxError(actual, expected)).toBeLessThanOrEqual(TOLERANCE);
    });
  });
}
