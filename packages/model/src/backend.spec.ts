import * as tf from '@tensorflow/tfjs-core';
// tfjs-layers registers tfjs's gradient functions, as it does for the product's model.
import '@tensorflow/tfjs-layers';
import { initBackend, parseBackendPreference } from './backend';
import { CVAE_KERNEL_NAMES } from './kernels';

function tfjsNodeInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
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
  const savedEnv = process.env['CVAE_BACKEND'];
  afterEach(() => {
    if (savedEnv == null) delete process.env['CVAE_BACKEND'];
    else process.env['CVAE_BACKEND'] = savedEnv;
  });

  it('initialises cpu with the cvae kernels when asked', async () => {
    const choice = await initBackend('cpu');
    expect(choice).toEqual({ name: 'cpu', preference: 'cpu', reason: expect.stringContaining('cvae kernels') });
    expect(tf.getBackend()).toBe('cpu');
    const y = tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 'valid');
    expect(Array.from(y.dataSync())).toEqual([9, 9, 9, 9]);
    expect(CVAE_KERNEL_NAMES.cpu.length).toBeGreaterThan(0);
  });

  it('initialises wasm when asked, and a second call is cheap and identical', async () => {
    const choice = await initBackend('wasm');
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const started = Date.now();
    expect(await initBackend('wasm')).toBe(choice);
    expect(Date.now() - started).toBeLessThan(50);
  });

  it('can train a conv layer on wasm (Conv2DBackpropFilter is registered)', async () => {
    await initBackend('wasm');
    const filter = tf.variable(tf.ones([3, 3, 1, 2]));
    const x = tf.ones([2, 5, 5, 1]) as tf.Tensor4D;
    const { grads } = tf.variableGrads(() => tf.sum(tf.conv2d(x, filter as tf.Variable<tf.Rank.R4>, 2, 'same')), [filter]);
    expect(grads[filter.name].shape).toEqual([3, 3, 1, 2]);
    tf.dispose([filter, x, grads[filter.name]]);
  });

  it('uses CVAE_BACKEND when no preference is given', async () => {
    process.env['CVAE_BACKEND'] = 'cpu';
    expect((await initBackend()).name).toBe('cpu');
    process.env['CVAE_BACKEND'] = 'nonsense';
    await expect(initBackend()).rejects.toThrow(/^CVAE_BACKEND: unknown backend "nonsense"/);
  });

  it('rejects an unknown preference string', async () => {
    await expect(initBackend('gpu')).rejects.toThrow(/unknown backend "gpu"; expected one of auto, tfjs-node, wasm, cpu/);
  });

  const absent = !tfjsNodeInstalled();
  (absent ? it : it.skip)('throws for tfjs-node when it is not installed, without falling back', async () => {
    await initBackend('cpu');
    await expect(initBackend('tfjs-node')).rejects.toThrow('backend tfjs-node was requested but @tensorflow/tfjs-node is not installed');
    expect(tf.getBackend()).toBe('cpu');
  });

  (absent ? it : it.skip)('auto picks wasm and says why when tfjs-node is absent', async () => {
    const choice = await initBackend('auto');
    expect(choice).toEqual({
      name: 'wasm',
      preference: 'auto',
      reason: 'auto: @tensorflow/tfjs-node is not installed; using wasm (XNNPACK) with cvae kernels',
    });
  });
});
