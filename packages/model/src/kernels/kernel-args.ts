/** Small helpers shared by every kernel's argument handling. */
import { NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The named kernel input; tfjs always passes it, so a missing one is a programming error. */
export function input(inputs: NamedTensorInfoMap, name: string, kernelName: string): TensorInfo {
  const t = inputs[name];
  if (t == null) throw new Error(`cvae ${kernelName} kernel: missing input '${name}'`);
  return t;
}
