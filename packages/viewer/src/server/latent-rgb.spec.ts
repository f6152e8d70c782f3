/**
 * The explorer's data for a model that is not 28×28 grey MNIST: a real 8×8 RGB checkpoint with the discretized
 * logistic likelihood (made here by @cvae/model) and a real image folder of 8-bit PNGs, over real HTTP.
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The viewer's code never imports the model; its tests build real checkpoints with it, as the e2e fixture does.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { CVAE, convRgbArchitecture, saveCheckpoint } from '@cvae/model';
import { encodePng } from '@cvae/images';
import type { LatentResponse, RunSummary } from '../shared/api-types';
import { startViewerServer, type ViewerServer } from './server';
import { request } from './test-utils/request';

jest.setTimeout(120_000);

const SIDE = 8;
const LATENT_DIM = 4;
const CLASSES = ['cool', 'warm'];
const TEST_PER_CLASS = 6;
const VALUES_PER_IMAGE = SIDE * SIDE * 3;

/** Image `index` of a class: every byte a different level (not 0/255), channels differ, so a grey or binarized copy shows. */
function rgbImage(classIndex: number, index: number): Uint8Array {
  return Uint8Array.from({ length: VALUES_PER_IMAGE }, (_, i) => (classIndex * 101 + index * 53 + Math.floor(i / 3) * 7 + (i % 3) * 85) % 256);
}

/** DIR/train/<class>/*.png and DIR/test/<class>/*.png; returns the test images' bytes as hex. */
async function writeImageFolder(dir: string): Promise<Set<string>> {
  const testImages = new Set<string>();
  for (const [c, name] of CLASSES.entries()) {
    for (const split of ['train', 'test']) {
      await fs.mkdir(path.join(dir, split, name), { recursive: true });
      for (let i = 0; i < TEST_PER_CLASS; i++) {
        const data = rgbImage(c, split === 'test' ? i : 100 + i);
        await fs.writeFile(path.join(dir, split, name, `${i}.png`), encodePng({ width: SIDE, height: SIDE, channels: 3, data }));
        if (split === 'test') testImages.add(Buffer.from(data).toString('hex'));
      }
    }
  }
  return testImages;
}

function runJson(name: string, dataDir: string) {
  return {
    name, status: 'completed',
    config: { epochs: 1, batchSize: 4, latentDim: LATENT_DIM, seed: 3, learningRate: 1e-3, backend: 'cpu', kl: 'analytic', dataDir, model: 'conv8-rgb' },
    backend: { name: 'cpu', preference: 'cpu', reason: 'cpu: requested' },
    versions: { node: 'v20', tfjs: '4.22.0', cvae: '0.1.0' },
    startedAt: '2026-01-01T00:00:00Z', sessions: [], timings: { epochs: [], totalSeconds: 0 },
  };
}

describe('viewer server: an RGB checkpoint with the discretized logistic', () => {
  const savedWorkspace = process.env.CVAE_WORKSPACE;
  let root: string;
  let testImages: Set<string>;
  let server: ViewerServer;
  const get = (rawPath: string) => request(server.port, rawPath);

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'viewer-rgb-'));
    process.env.CVAE_WORKSPACE = root; // the decoded-image cache goes under <workspace>/.cache, here the temp dir
    const dataDir = path.join(root, 'colours');
    testImages = await writeImageFolder(dataDir);
    const runDir = path.join(root, 'runs', 'rgb');
    await fs.mkdir(runDir, { recursive: true });
    await fs.writeFile(path.join(runDir, 'run.json'), JSON.stringify(runJson('rgb', dataDir)));
    await tf.setBackend('cpu');
    const model = CVAE.create({ architecture: convRgbArchitecture(SIDE, LATENT_DIM), seed: 3 });
    try {
      await saveCheckpoint(path.join(runDir, 'checkpoints', 'last'), model, { epoch: 1, step: 3, seeds: { init: 3 }, backend: tf.getBackend() });
    } finally {
      model.dispose();
    }
    const runsDir = path.join(root, 'runs');
    server = await startViewerServer({ runsDir, suitesDir: runsDir, reportsDir: runsDir, publicDir: runsDir, port: 0, backend: 'cpu' });
  });
  afterAll(async () => {
    await server?.close();
    if (savedWorkspace === undefined) delete process.env.CVAE_WORKSPACE;
    else process.env.CVAE_WORKSPACE = savedWorkspace;
    await fs.rm(root, { recursive: true, force: true });
  });

  it('lists the run with its model\'s image shape and likelihood (from the checkpoint manifest)', async () => {
    const runs = JSON.parse((await get('/api/runs')).body).runs as RunSummary[];
    expect(runs.map((r) => [r.name, r.imageModel, r.decoderUrl])).toEqual([
      ['rgb', { inputShape: [SIDE, SIDE, 3], likelihood: 'discretized-logistic' }, '/runs/rgb/checkpoints/last/decoder/model.json'],
    ]);
  });

  it('encodes the RGB test set and sends the pickable images as their own 8-bit RGB levels', async () => {
    const reply = await get('/api/latent?run=rgb');
    expect([reply.status, reply.status === 200 ? '' : reply.body]).toEqual([200, '']);
    const latent = JSON.parse(reply.body) as LatentResponse;
    const count = CLASSES.length * TEST_PER_CLASS;
    expect(latent).toMatchObject({ run: 'rgb', latentDim: LATENT_DIM, count, imageModel: { inputShape: [SIDE, SIDE, 3], likelihood: 'discretized-logistic' } });
    const means = Buffer.from(latent.means, 'base64');
    expect(means).toHaveLength(count * LATENT_DIM * 4);
    expect(Array.from({ length: count * LATENT_DIM }, (_, i) => means.readFloatLE(i * 4)).every(Number.isFinite)).toBe(true);
    // Every test image, once each (in the folder's stored order), byte for byte what the PNGs hold.
    const pixels = Buffer.from(latent.images.pixels, 'base64');
    expect(latent.images.count).toBe(count);
    expect(pixels).toHaveLength(count * VALUES_PER_IMAGE);
    const sent = Array.from({ length: count }, (_, i) => pixels.subarray(i * VALUES_PER_IMAGE, (i + 1) * VALUES_PER_IMAGE).toString('hex'));
    expect(new Set(sent)).toEqual(testImages);
  });
});
