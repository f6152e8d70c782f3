// A tfjs user's first script with @cvae/tfjs-kernels, run by pack-test/run.js inside an empty project that
// installed only the packed tarball and tfjs 4.22 from the registry: a small conv autoencoder (Conv2D +
// Conv2DTranspose) trained with Adam on tfjs's wasm backend. Plain CommonJS, no build step.
//
//   node train.cjs                    must train: the loss falls, ours is the Conv2DBackpropFilter that ran
//   node train.cjs --without-kernels  the same without importing the package: must fail (tfjs-backend-wasm
//                                     has no Conv2DBackpropFilter), which shows this test can fail
'use strict';

const withKernels = !process.argv.includes('--without-kernels');
const kernels = withKernels ? require('@cvae/tfjs-kernels') : null; // import before tf.setBackend('wasm')
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-wasm');
const tfl = require('@tensorflow/tfjs-layers');
const path = require('path');

const STEPS = 25;

function fail(message) {
  console.error(`pack-test train: FAIL: ${message}`);
  process.exit(1);
}

/** Every tfjs module must come from this project's node_modules, not from a workspace above it. */
function checkResolution() {
  const own = path.join(process.cwd(), 'node_modules') + path.sep;
  const names = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-layers'];
  if (withKernels) names.unshift('@cvae/tfjs-kernels');
  for (const name of names) {
    const resolved = require.resolve(name);
    if (!resolved.startsWith(own)) fail(`${name} resolved to ${resolved}, outside ${own}`);
  }
  if (withKernels) {
    // The package must share the project's tfjs-core (one kernel registry), not bring its own.
    const fromPackage = require.resolve('@tensorflow/tfjs-core', { paths: [path.dirname(require.resolve('@cvae/tfjs-kernels'))] });
    if (fromPackage !== require.resolve('@tensorflow/tfjs-core')) fail(`the package loads its own tfjs-core (${fromPackage})`);
  }
}

/** Seeded smooth 16x16 images (a few Gaussian blobs each), values in [0, 1]. */
function syntheticImages(count, size, seed) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const values = new Float32Array(count * size * size);
  for (let n = 0; n < count; n++) {
    const blobs = Array.from({ length: 3 }, () => ({ y: random() * size, x: random() * size, r: 1.5 + 2.5 * random() }));
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        let v = 0;
        for (const b of blobs) v += Math.exp(-((y - b.y) ** 2 + (x - b.x) ** 2) / (2 * b.r * b.r));
        values[(n * size + y) * size + x] = Math.min(1, v);
      }
    }
  }
  return tf.tensor4d(values, [count, size, size, 1]);
}

function buildAutoencoder() {
  const init = (seed) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(1) }),
      tfl.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
      tfl.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init(3) }),
      tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid', kernelInitializer: init(4) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  return model;
}

async function main() {
  checkResolution();
  if (!(await tf.setBackend('wasm'))) fail('tf.setBackend("wasm") returned false');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') fail(`backend is ${tf.getBackend()}, expected wasm`);

  if (withKernels) {
    const ours = kernels.TRAINING_KERNELS.wasm.find((k) => k.kernelName === 'Conv2DBackpropFilter');
    const registered = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    if (ours == null || registered == null || registered.kernelFunc !== ours.kernelFunc) fail('the wasm Conv2DBackpropFilter registered in tfjs is not the package\'s');
    console.log(`kernels: ${kernels.TRAINING_KERNEL_NAMES.wasm.join(', ')} on wasm (${kernels.convKernelsDescription('wasm')})`);
  }

  const x = syntheticImages(16, 16, 7);
  const model = buildAutoencoder();
  const losses = [];
  let ranFilterGrad = false;
  for (let step = 0; step < STEPS; step++) {
    let loss;
    if (step === 1) {
      // Profile one step: the filter gradient of the conv layers must actually run (ours when imported).
      const info = await tf.profile(async () => {
        loss = await model.trainOnBatch(x, x);
      });
      ranFilterGrad = info.kernels.some((k) => k.name === 'Conv2DBackpropFilter');
    } else {
      loss = await model.trainOnBatch(x, x);
    }
    losses.push(Number(loss));
  }
  console.log(`losses (${STEPS} Adam steps, batch 16, 16x16x1): ${losses.map((l) => l.toFixed(4)).join(' ')}`);
  if (!losses.every(Number.isFinite)) fail('a loss is not finite');
  if (!ranFilterGrad) fail('no Conv2DBackpropFilter ran in a profiled training step');
  const first = losses[0];
  const last = losses[losses.length - 1];
  if (!(last < 0.5 * first)) fail(`the loss did not fall by half: ${first.toFixed(4)} -> ${last.toFixed(4)}`);
  console.log(`pack-test train: OK: backend ${tf.getBackend()}, loss ${first.toFixed(4)} -> ${last.toFixed(4)} in ${STEPS} steps`);
}

main().catch((error) => fail(String(error && error.message ? error.message : error).split('\n')[0]));
