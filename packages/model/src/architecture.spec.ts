import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  Architecture,
  ArchitectureError,
  MODEL_PRESETS,
  architectureDifference,
  convRgbArchitecture,
  describeArchitecture,
  expectedWeightShapes,
  mlpArchitecture,
  readModelFile,
  resolveModel,
  tutorialArchitecture,
  validateArchitecture,
} from './architecture';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { CVAE } from './cvae';

const REFERENCE_MANIFEST = path.join(__dirname, '..', '..', '..', 'runs', 'reference', 'checkpoints', 'last', 'manifest.json');
const META = { epoch: 1, step: 1, seeds: { init: 1 }, backend: 'cpu' };

let workDir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cvae-architecture-'));
});
afterAll(() => fs.rm(workDir, { recursive: true, force: true }));

function expectArchitectureError(work: () => unknown, message: string): void {
  let error: unknown;
  try {
    work();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ArchitectureError);
  expect((error as Error).message).toBe(message);
}

/** The 48-filter variant of the issue: one number of the seed changed. */
function wider(latentDim = 2): Architecture {
  const seed = tutorialArchitecture(latentDim);
  return { ...seed, encoder: seed.encoder.map((l) => (l.name === 'encoder_conv1' && l.kind === 'conv2d' ? { ...l, filters: 48 } : l)) };
}

describe('presets', () => {
  it('tutorial is, byte for byte, what the reference checkpoint (formatVersion 1) records', () => {
    const manifest = JSON.parse(readFileSync(REFERENCE_MANIFEST, 'utf8')) as { formatVersion: number; architecture: unknown };
    expect(manifest.formatVersion).toBe(1);
    expect(JSON.stringify(tutorialArchitecture(2))).toBe(JSON.stringify(manifest.architecture));
  });

  it.each(Object.keys(MODEL_PRESETS))('%s validates, builds, and maps noise to images of its input shape', (name) => {
    const architecture = MODEL_PRESETS[name].build();
    expect(() => validateArchitecture(architecture)).not.toThrow();
    const model = CVAE.create({ architecture, seed: 3 });
    const z = tf.randomNormal([2, architecture.latentDim], 0, 1, 'float32', 1) as tf.Tensor2D;
    const images = model.decodeMean(z);
    expect(images.shape).toEqual([2, ...architecture.inputShape]);
    const values = images.dataSync();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    const { mean } = model.encode(images);
    expect(mean.shape).toEqual([2, architecture.latentDim]);
    tf.dispose([z, images, mean]);
    model.dispose();
  });

  it('mlp has the tutorial bottleneck and a perceptron on each side', () => {
    const mlp = mlpArchitecture(2);
    expect(mlp.inputShape).toEqual([28, 28, 1]);
    expect([...mlp.encoder, ...mlp.decoder].some((l) => l.kind === 'conv2d' || l.kind === 'conv2dTranspose')).toBe(false);
    expect(expectedWeightShapes(mlp, 'encoder').map((w) => w.shape)).toEqual([[784, 512], [512], [512, 4], [4]]);
  });

  it('the RGB presets end in a mean and a log-scale per channel (discretized logistic)', () => {
    for (const side of [32, 64]) {
      const architecture = convRgbArchitecture(side);
      expect(architecture.inputShape).toEqual([side, side, 3]);
      expect(architecture.likelihood).toEqual({ kind: 'discretized-logistic' });
      const last = architecture.decoder[architecture.decoder.length - 1];
      expect(last.kind === 'conv2dTranspose' && last.filters).toBe(6);
    }
  });

  it('--latent-dim resizes a preset or a model file', () => {
    expect(resolveModel('tutorial', 8).latentDim).toBe(8);
    expect(resolveModel('conv32-rgb', 4).encoder.at(-1)).toMatchObject({ kind: 'dense', units: 8 });
  });
});

describe('shape errors: one line naming the layer and both shapes, before anything is built', () => {
  it('a decoder whose output is not the image', () => {
    const architecture = { ...tutorialArchitecture(2), inputShape: [32, 32, 3] as [number, number, 3] };
    architecture.encoder = [{ kind: 'flatten', name: 'f' }, { kind: 'dense', name: 'd', units: 4, activation: 'linear' }];
    expectArchitectureError(() => validateArchitecture(architecture), 'model: decoder output 28×28×1 (layer decoder_logits) vs 32×32×3 expected from input 32×32×3');
    expectArchitectureError(() => CVAE.create({ architecture, seed: 1 }), 'model: decoder output 28×28×1 (layer decoder_logits) vs 32×32×3 expected from input 32×32×3');
  });

  it('an encoder that does not end in 2·latentDim values', () => {
    const architecture = tutorialArchitecture(3);
    architecture.encoder[3] = { kind: 'dense', name: 'encoder_mean_logvar', units: 5, activation: 'linear' };
    expectArchitectureError(() => validateArchitecture(architecture), 'model: encoder output 5 (layer encoder_mean_logvar) vs 6 expected from 2·latentDim = 6 (mean and logvar)');
  });

  it('a conv after flatten, a dense before it, a reshape of the wrong size, a repeated name', () => {
    const seed = tutorialArchitecture(2);
    const swap = (encoder: Architecture['encoder']) => ({ ...seed, encoder });
    expectArchitectureError(
      () => validateArchitecture(swap([seed.encoder[2], seed.encoder[0], seed.encoder[3]])),
      'model encoder: layer encoder_conv1 (conv2d) needs a height×width×channels input, got 784 (add a reshape before it)',
    );
    expectArchitectureError(
      () => validateArchitecture(swap([seed.encoder[3]])),
      'model encoder: layer encoder_mean_logvar (dense) needs a flat input, got 28×28×1 (add a flatten before it)',
    );
    const decoder = [...seed.decoder];
    decoder[1] = { kind: 'reshape', name: 'decoder_reshape', targetShape: [7, 7, 16] };
    expectArchitectureError(() => validateArchitecture({ ...seed, decoder }), 'model decoder: layer decoder_reshape (reshape) cannot reshape 1568 (1568 values) to 7×7×16 (784)');
    const repeated = [...seed.decoder];
    repeated[0] = { ...seed.decoder[0], name: 'encoder_conv1' } as Architecture['decoder'][number];
    expectArchitectureError(() => validateArchitecture({ ...seed, decoder: repeated }), 'model: layer name encoder_conv1 is used twice (names seed each layer\'s initial weights)');
  });
});

describe('describing architectures', () => {
  it('names every layer in one line', () => {
    expect(describeArchitecture(tutorialArchitecture(2))).toBe('28×28×1 → c32/2 c64/2 f d4 → z2 → d1568 r7×7×32 t64/2 t32/2 t1/1 (bernoulli)');
  });

  it('says how a candidate differs from a baseline', () => {
    expect(architectureDifference(tutorialArchitecture(2), tutorialArchitecture(2))).toBeUndefined();
    expect(architectureDifference(tutorialArchitecture(2), wider())).toBe('encoder_conv1 filters 32 → 48');
    expect(architectureDifference(tutorialArchitecture(2), mlpArchitecture(4))).toBe(
      'latent 2 → 4; encoder c32/2 c64/2 f d4 → f d512 d8; decoder d1568 r7×7×32 t64/2 t32/2 t1/1 → d512 d784 r28×28×1',
    );
  });
});

describe('model files', () => {
  const write = async (name: string, value: unknown) => {
    const file = path.join(workDir, name);
    await fs.writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  };

  it('reads the peer\'s shape: names, padding and activation may be left out, a whole manifest works too', async () => {
    const seed = tutorialArchitecture(2);
    const bare = { inputShape: [28, 28, 1], latentDim: 2, encoder: seed.encoder.map(({ name: _n, ...rest }) => rest), decoder: seed.decoder.map(({ name: _n, ...rest }) => rest) };
    const architecture = readModelFile(await write('bare.json', bare));
    expect(architecture.encoder.map((l) => l.name)).toEqual(['encoder_1', 'encoder_2', 'encoder_3', 'encoder_4']);
    expect(() => validateArchitecture(architecture)).not.toThrow();
    expect(readModelFile(await write('manifest.json', { formatVersion: 2, architecture: seed }))).toEqual(seed);
  });

  it('says which file and field is wrong', async () => {
    const missing = await write('missing.json', { inputShape: [28, 28, 1], encoder: [], decoder: [] });
    expect(() => readModelFile(missing)).toThrow(new ArchitectureError(`model ${missing}: latentDim: Invalid input: expected number, received undefined`));
    const notJson = await write('broken.json', '{"latentDim": 2,');
    expect(() => readModelFile(notJson)).toThrow(/^model .*broken\.json: .*JSON/);
    const badKind = await write('kind.json', { ...tutorialArchitecture(2), encoder: [{ kind: 'conv3d', filters: 2 }] });
    expect(() => readModelFile(badKind)).toThrow(/^model .*kind\.json: encoder\[0\]\.kind: Invalid discriminator/);
  });
});

describe('checkpoints of any architecture', () => {
  it.each([
    ['48 filters', wider()],
    ['mlp', mlpArchitecture(3)],
    ['conv32-rgb', convRgbArchitecture(32, 4)],
  ])('%s: saved, then loaded as the architecture its manifest records, computing the same', async (_label, architecture) => {
    const model = CVAE.create({ architecture, seed: 5 });
    const dir = path.join(workDir, `ckpt-${architecture.encoder[0].name}-${architecture.inputShape.join('x')}-${architecture.latentDim}`);
    const manifest = await saveCheckpoint(dir, model, META);
    expect(manifest.architecture).toEqual(architecture);
    const loaded = await loadCheckpoint(dir);
    expect(loaded.model.architecture).toEqual(architecture);
    const z = tf.randomNormal([2, architecture.latentDim], 0, 1, 'float32', 2) as tf.Tensor2D;
    const [a, b] = [model.decode(z), loaded.model.decode(z)];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([z, a, b]);
    model.dispose();
    loaded.model.dispose();
  });

  it('a manifest whose architecture is not its weights fails in one line naming the weight', async () => {
    const model = CVAE.create({ architecture: tutorialArchitecture(2), seed: 5 });
    const dir = path.join(workDir, 'lying');
    const manifest = await saveCheckpoint(dir, model, META);
    model.dispose();
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ ...manifest, architecture: wider() }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      `checkpoint ${dir}: encoder/model.json weight encoder_conv1/kernel has shape [3,3,1,32], the architecture in manifest.json gives encoder_conv1/kernel [3,3,1,48]`,
    );
  });
});
