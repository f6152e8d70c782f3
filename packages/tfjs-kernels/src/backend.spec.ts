import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers tfjs's gradient functions, as it does for the product's model.
import '@tensorflow/tfjs-layers';
import { initBackend, parseBackendPreference } from './backend';
import { TRAINING_KERNEL_NAMES } from './register';

function tfjsNodeLoads(): boolean {
  try {
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

describe('parseBackendPreference', () => {
  it('accepts the four preferences, case- and space-insensitively', () => {
    expect(parseBackendPreference('auto', '--backend')).toBe('auto');
    expect(parseBackendPreference(' WASM ', '--backend')).toBe('wasm');
    expect(parseBackendPreference('cpu', 'CVAE_BACKEND')).toBe('cpu');
    expect(parseBackendPreference('tfjs-node', '--backend')).toBe('tfjs-node');
  });

  it('rejects anything else with a one-line error naming the source and allowed values', () => {
    expect(() => parseBackendPreference('webgl', 'CVAE_BACKEND')).toThrow(
      'CVAE_BACKEND: unknown backend "webgl"; expected one of auto, tfjs-node, wasm, cpu',
    );
    expect(() => parseBackendPreference('', '--backend')).toThrow(/^--backend: unknown backend/);
  });
});

describe('initBackend', () => {
  it('initialises cpu with our kernels when asked', async () => {
    const choice = await initBackend('cpu');
    expect(choice).toEqual({ name: 'cpu', preference: 'cpu', reason: expect.stringContaining('@cvae/tfjs-kernels') });
    expect(tf.getBackend()).toBe('cpu');
    const y = tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 'valid');
    expect(Array.from(y.dataSync())).toEqual([9, 9, 9, 9]);
    expect(TRAINING_KERNEL_NAMES.cpu.length).toBeGreaterThan(0);
  });

  it('initialises wasm when asked, and a second call returns the same choice', async () => {
    const choice = await initBackend('wasm');
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(await initBackend('wasm')).toBe(choice);
  });

  it('can train a conv layer on wasm (Conv2DBackpropFilter is registered)', async () => {
    await initBackend('wasm');
    const filter = tf.variable(tf.ones([3, 3, 1, 2]));
    const x = tf.ones([2, 5, 5, 1]) as tf.Tensor4D;
    const { grads } = tf.variableGrads(() => tf.sum(tf.conv2d(x, filter as tf.Variable<tf.Rank.R4>, 2, 'same')), [filter]);
    expect(grads[filter.name].shape).toEqual([3, 3, 1, 2]);
    tf.dispose([filter, x, grads[filter.name]]);
  });

  it('rejects an unknown preference string', async () => {
    await expect(initBackend('gpu')).rejects.toThrow(/unknown backend "gpu"; expected one of auto, tfjs-node, wasm, cpu/);
  });

  // tfjs-node is optional and cannot install here; whichever way this machine has it, the choice must say so.
  it('tfjs-node: used when it loads, otherwise an explicit request throws without falling back', async () => {
    await initBackend('cpu');
    if (tfjsNodeLoads()) {
      expect((await initBackend('tfjs-node')).name).toBe('tensorflow');
    } else {
      await expect(initBackend('tfjs-node')).rejects.toThrow(/^backend tfjs-node was requested but @tensorflow\/tfjs-node (is not installed|failed to load)/);
      expect(tf.getBackend()).toBe('cpu');
    }
  });

  it('auto picks tfjs-node when it loads, else wasm, and says why', async () => {
    const choice = await initBackend('auto');
    if (tfjsNodeLoads()) {
      expect(choice.name).toBe('tensorflow');
    } else {
      expect(choice).toEqual({ name: 'wasm', preference: 'auto', reason: expect.stringMatching(/^auto: @tensorflow\/tfjs-node (is not installed|failed to load).*; using wasm with @cvae\/tfjs-kernels \(conv.wasm\)$/) });
    }
  });
});
