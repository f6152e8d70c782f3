/** Small helpers shared by every kernel's argument handling. */
import {
  Conv2DBackpropFilter,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  Conv2DBackpropInputAttrs,
  NamedAttrMap,
  NamedTensorInfoMap,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { Conv4D, ConvGeometry, convGeometry, patchCount, patchSize } from './conv-geometry';

/** What tfjs passes to a kernel function. */
export interface KernelArgs {
  inputs: NamedTensorInfoMap;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/** The named kernel input; tfjs always passes it, so a missing one is a programming error. */
export function input(inputs: NamedTensorInfoMap, name: string, kernelName: string): TensorInfo {
  const t = inputs[name];
  if (t == null) throw new Error(`cvae ${kernelName} kernel: missing input '${name}'`);
  return t;
}

/** Inputs and geometry of Conv2DBackpropFilter: dW[K, co] from x and dy ([M, co]); the same on every backend. */
export function backpropFilterArgs(args: KernelArgs) {
  const x = input(args.inputs, 'x', Conv2DBackpropFilter);
  const dy = input(args.inputs, 'dy', Conv2DBackpropFilter);
  const { filterShape } = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  const g = convGeometry(x.shape as Conv4D, filterShape, args.attrs as unknown as Conv2DBackpropFilterAttrs, Conv2DBackpropFilter);
  return { x, dy, filterShape, g, K: patchSize(g), M: patchCount(g) };
}

/** Inputs and geometry of Conv2DBackpropInput: dx from dy ([M, co]) and the filter ([K, co]); the same on every backend. */
export function backpropInputArgs(args: KernelArgs): {
  dy: TensorInfo;
  filter: TensorInfo;
  inputShape: number[];
  g: ConvGeometry;
  K: number;
  M: number;
  C: number;
} {
  const dy = input(args.inputs, 'dy', Conv2DBackpropInput);
  const filter = input(args.inputs, 'filter', Conv2DBackpropInput);
  const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
  const g = convGeometry(attrs.inputShape, filter.shape as Conv4D, attrs, Conv2DBackpropInput);
  return { dy, filter, inputShape: [...attrs.inputShape], g, K: patchSize(g), M: patchCount(g), C: g.outChannels };
}
