/** The routes behind comparing runs, following live runs and exploring latent spaces, over real HTTP. */
import { spawnSync } from 'child_process';
import { promises as fs } from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { TEST_METRICS_DATA_FILE, TEST_METRICS_FILE, encodeTestMetricRows, sha256Hex, type TestMetricsHeader, type TrainingProgress } from '@cvae/formats';
import type { CompareResponse, LatentResponse, RunSummary } from '../shared/api-types';
import type { ComputeLatentSpace } from './latent';
import { startViewerServer, type ViewerServer } from './server';
import { request } from './test-utils/request';

jest.setTimeout(120_000);

const REFERENCE_CHECKPOINT = path.resolve(__dirname, '..', '..', '..', '..', 'runs', 'reference', 'checkpoints', 'last');
const IMAGES_SHA = 'b'.repeat(64);

function runJson(name: string, status: string, config: Record<string, unknown> = {}) {
  return {
    name, status,
    config: { epochs: 2, batchSize: 32, latentDim: 2, seed: 1, learningRate: 1e-4, backend: 'cpu', kl: 'monte-carlo', ...config },
    backend: { name: 'cpu', preference: 'cpu', reason: 'cpu: requested' },
    versions: { node: 'v20', tfjs: '4.22.0', cvae: '0.1.0' },
    startedAt: '2026-01-01T00:00:00Z', sessions: [], timings: { epochs: [], totalSeconds: 0 },
  };
}

function progressJson(updatedAt: Date): TrainingProgress {
  return { formatVersion: 1, phase: 'training', epoch: 1, epochs: 2, batch: 7, batches: 20, evaluated: 0, testImages: 300, imagesPerSecond: 800, etaSeconds: 2, runningLoss: 300, updatedAt: updatedAt.toISOString() };
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid ?? 999_999;
}

async function writeTestMetrics(dir: string, elbo: number[], imagesSha = IMAGES_SHA): Promise<void> {
  const columns = [Float32Array.from(elbo), Float32Array.from(elbo, () => 4), Float32Array.from(elbo, () => 0.05)];
  const bytes = encodeTestMetricRows(columns);
  const header: TestMetricsHeader = {
    formatVersion: 1, epoch: 2, step: 20, count: elbo.length, columns: ['elbo', 'kl', 'mse'],
    data: { file: TEST_METRICS_DATA_FILE, encoding: 'float32-le-rows', sha256: sha256Hex(bytes) },
    images: { split: 'test', count: elbo.length, dataDir: null, sha256: imagesSha },
    eps: { seed: 0, label: 'elbo-eps', latentDim: 2 }, createdAt: '2026-01-01T00:00:00Z',
  };
  await fs.writeFile(path.join(dir, TEST_METRICS_DATA_FILE), bytes);
  await fs.writeFile(path.join(dir, TEST_METRICS_FILE), JSON.stringify(header));
}

async function makeRuns(): Promise<string> {
  const runs = await fs.mkdtemp(path.join(os.tmpdir(), 'viewer-live-'));
  const run = async (name: string, status: string, files: Record<string, unknown> = {}, config?: Record<string, unknown>) => {
    await fs.mkdir(path.join(runs, name), { recursive: true });
    await fs.writeFile(path.join(runs, name, 'run.json'), JSON.stringify(runJson(name, status, config)));
    for (const [file, content] of Object.entries(files)) await fs.writeFile(path.join(runs, name, file), typeof content === 'string' ? content : JSON.stringify(content));
  };
  const lock = (pid: number) => ({ pid, host: os.hostname(), purpose: 'cvae train', since: '2026-01-01T00:00:00Z', nonce: 'n' });
  await run('done', 'completed');
  await run('live', 'running', { '.lock': lock(process.pid), 'progress.json': progressJson(new Date()) });
  await run('silent', 'running', { '.lock': lock(process.pid), 'progress.json': progressJson(new Date(Date.now() - 5 * 60_000)) });
  await run('killed', 'running', { '.lock': lock(deadPid()), 'progress.json': progressJson(new Date()) });
  await run('unlocked', 'running', { 'progress.json': progressJson(new Date()) });
  // Per-image metrics: 'better' beats 'done' by 1 nat on every one of 50 images; 'foreign' used other images.
  const base = Array.from({ length: 50 }, (_, i) => -100 - 2 * i);
  await writeTestMetrics(path.join(runs, 'done'), base);
  await run('better', 'completed');
  await writeTestMetrics(path.join(runs, 'better'), base.map((v, i) => v + 1 + (i % 2) * 0.1));
  await run('foreign', 'completed');
  await writeTestMetrics(path.join(runs, 'foreign'), base, 'c'.repeat(64));
  // A real checkpoint (the committed reference, latent 2), evaluated on the first 300 test images.
  await run('trained', 'completed', {}, { testLimit: 300 });
  await fs.cp(REFERENCE_CHECKPOINT, path.join(runs, 'trained', 'checkpoints', 'last'), { recursive: true });
  return runs;
}

describe('viewer server: live runs, comparisons, latent spaces', () => {
  let runsDir: string;
  let server: ViewerServer;
  const get = (rawPath: string) => request(server.port, rawPath);
  const runs = async (): Promise<Record<string, RunSummary>> => Object.fromEntries((JSON.parse((await get('/api/runs')).body).runs as RunSummary[]).map((r) => [r.name, r]));

  beforeAll(async () => {
    runsDir = await makeRuns();
    server = await startViewerServer({ runsDir, suitesDir: runsDir, reportsDir: runsDir, publicDir: runsDir, port: 0, eventsPollMs: 100, backend: 'cpu' });
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(runsDir, { recursive: true, force: true });
  });

  it('tells live runs from dead ones by the run lock and the age of progress.json', async () => {
    const all = await runs();
    expect(all.done.liveness).toEqual({ state: 'finished', reason: 'completed' });
    expect(all.live.liveness.state).toBe('live');
    expect(all.live.progress).toMatchObject({ phase: 'training', batch: 7, batches: 20 });
    expect(all.silent.liveness.state).toBe('stalled');
    expect(all.silent.liveness.reason).toMatch(/^no progress for 30\d s/);
    expect(all.killed.liveness).toEqual({ state: 'stopped', reason: expect.stringMatching(/^the training process \(pid \d+\) is gone$/) });
    expect(all.unlocked.liveness.state).toBe('stopped');
    expect(all.done.testMetrics).toEqual({ epoch: 2, count: 50 });
    expect(all.live.testMetrics).toBeNull();
    expect([all.trained.checkpointEpoch, all.done.checkpointEpoch]).toEqual([10, null]); // what the explorer compares with what it shows
    // The reference is a formatVersion-1 checkpoint: its manifest records the seed's architecture (no likelihood: bernoulli).
    expect([all.trained.imageModel, all.done.imageModel]).toEqual([{ inputShape: [28, 28, 1], likelihood: 'bernoulli' }, null]);
  });

  it('streams an event when a run changes, so pages update without a reload', async () => {
    const received: string[] = [];
    const req = http.get({ host: '127.0.0.1', port: server.port, path: '/api/events' });
    const response = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    response.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    try {
      await waitFor(() => received.join('').includes('event: hello'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(received.join('')).not.toContain('event: runs'); // nothing changed yet
      await fs.appendFile(path.join(runsDir, 'done', 'metrics.jsonl'), '{"epoch":1}\n');
      await waitFor(() => received.join('').includes('event: runs'));
    } finally {
      req.destroy();
    }
  });

  it('refuses the event stream to a foreign Host like every other route', async () => {
    expect((await request(server.port, '/api/events', { headers: { Host: 'evil.example:80' } })).status).toBe(403);
  });

  it('pairs runs evaluated on the same test images, image by image, against a chosen baseline', async () => {
    const reply = await get('/api/compare?baseline=done');
    expect(reply.status).toBe(200);
    const compare = JSON.parse(reply.body) as CompareResponse;
    expect(compare).toMatchObject({ baseline: 'done', baselineEpoch: 2 });
    const row = (name: string) => compare.rows.find((r) => r.run === name);
    const better = row('better');
    if (better?.status !== 'paired') throw new Error(`not paired: ${JSON.stringify(better)}`);
    expect(better.metrics[0]).toMatchObject({ metric: 'elbo', verdict: 'better' });
    expect(better.metrics[0].delta).toBeCloseTo(1.05, 5);
    expect(row('foreign')).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('other test images') });
    expect(row('live')).toMatchObject({ status: 'unavailable', reason: expect.stringMatching(/^no per-image metrics/) });
    expect(compare.rows.map((r) => r.run)).not.toContain('done');
  });

  it.each([
    ['/api/compare?baseline=..%2Fx', 400],
    ['/api/compare?baseline=nope', 404],
    ['/api/compare', 400],
    ['/api/latent?run=..', 400],
    ['/api/latent?run=nope', 404],
    ['/api/latent?run=done', 404],
  ])('%s answers %i with one line', async (rawPath, status) => {
    const reply = await get(rawPath);
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body).error).toMatch(/^[^\n]+$/);
  });

  it('encodes the run\'s test images with its checkpoint: means, labels, the principal plane and pickable images', async () => {
    const reply = await get('/api/latent?run=trained');
    expect(reply.status).toBe(200);
    const latent = JSON.parse(reply.body) as LatentResponse;
    expect(latent).toMatchObject({ run: 'trained', epoch: 10, latentDim: 2, count: 300, imageModel: { inputShape: [28, 28, 1], likelihood: 'bernoulli' } }); // count: the run's testLimit
    const bytes = Buffer.from(latent.means, 'base64');
    const means = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    expect(means).toHaveLength(600);
    expect(means.every(Number.isFinite)).toBe(true);
    expect(new Set(means).size).toBeGreaterThan(500); // the encoder puts images in different places
    expect(Buffer.from(latent.labels, 'base64')).toHaveLength(300);
    const { u, v } = latent.principal ?? { u: [], v: [] };
    expect(Math.hypot(...u)).toBeCloseTo(1, 6);
    expect(u[0] * v[0] + u[1] * v[1]).toBeCloseTo(0, 6);
    expect(latent.images.count).toBe(100);
    expect(new Set(Buffer.from(latent.images.pixels, 'base64'))).toEqual(new Set([0, 255]));
    expect((await get('/api/latent?run=trained')).body).toBe(reply.body); // cached, and deterministic
  });
});

describe('viewer server: the encoder pass does not stall the server', () => {
  /** Far below the stall of encoding 10,000 images in the server's thread (0.3 + 1.1 s on wasm here), far above a timer's jitter. */
  const STALL_LIMIT_MS = 250;
  let runsDir: string;

  beforeAll(async () => {
    runsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'viewer-stall-'));
    await fs.mkdir(path.join(runsDir, 'full'));
    await fs.writeFile(path.join(runsDir, 'full', 'run.json'), JSON.stringify(runJson('full', 'completed')));
    await fs.cp(REFERENCE_CHECKPOINT, path.join(runsDir, 'full', 'checkpoints', 'last'), { recursive: true });
  });
  afterAll(() => fs.rm(runsDir, { recursive: true, force: true }));

  /** The longest gap between 10 ms timer ticks of this (the server's) thread while /api/latent encodes the whole test set. */
  async function longestStallWhileEncoding(computeLatentSpace?: ComputeLatentSpace): Promise<{ stallMs: number; status: number }> {
    const server = await startViewerServer({ runsDir, suitesDir: runsDir, reportsDir: runsDir, publicDir: runsDir, port: 0, backend: 'wasm', computeLatentSpace });
    let last = performance.now();
    let stallMs = 0;
    const ticks = setInterval(() => {
      const now = performance.now();
      stallMs = Math.max(stallMs, now - last);
      last = now;
    }, 10);
    try {
      const reply = await request(server.port, '/api/latent?run=full');
      return { stallMs, status: reply.status };
    } finally {
      clearInterval(ticks);
      await server.close();
    }
  }

  it(`encodes 10,000 test images in a worker thread: the server's thread never stalls for ${STALL_LIMIT_MS} ms`, async () => {
    const { stallMs, status } = await longestStallWhileEncoding();
    expect(status).toBe(200);
    expect(stallMs).toBeLessThan(STALL_LIMIT_MS);
  });

  it('bites: the same pass in the server\'s thread stalls it for longer than that', async () => {
    const inThisThread: ComputeLatentSpace = async (options) => (await import('@cvae/evaluation')).latentSpaceOfCheckpoint(options);
    const { stallMs, status } = await longestStallWhileEncoding(inThisThread);
    expect(status).toBe(200);
    expect(stallMs).toBeGreaterThan(STALL_LIMIT_MS);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
