import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { readFloat32Into } from './read';

describe.each(['wasm', 'cpu'])('readFloat32Into on %s', (backendName) => {
  beforeAll(async () => {
    await tf.setBackend(backendName);
    await tf.ready();
  });

  it('copies exactly the values dataSync gives, at an offset, and leaves the rest', () => {
    const a = tf.tensor2d([[1.5, -2], [3.25, 1e-30]]);
    const b = tf.tensor1d([7, 8, 9]);
    const reshaped = tf.reshape(tf.sin(tf.range(0, 6)), [2, 3]); // shares its buffer with the Sin output
    const target = new Float32Array(15).fill(-1);
    readFloat32Into(a, target, 1);
    readFloat32Into(b, target, 5);
    readFloat32Into(reshaped, target, 8);
    expect(Array.from(target)).toEqual([-1, 1.5, -2, 3.25, Math.fround(1e-30), 7, 8, 9, ...Array.from(reshaped.dataSync()), -1]);
    tf.dispose([a, b, reshaped]);
  });

  it('refuses what does not fit, other dtypes and disposed tensors', () => {
    const t = tf.tensor1d([1, 2, 3]);
    expect(() => readFloat32Into(t, new Float32Array(4), 2)).toThrow(/do not fit/);
    expect(() => readFloat32Into(tf.tensor1d([1], 'int32'), new Float32Array(4))).toThrow(/float32/);
    t.dispose();
    expect(() => readFloat32Into(t, new Float32Array(4))).toThrow(/disposed/);
  });
});
