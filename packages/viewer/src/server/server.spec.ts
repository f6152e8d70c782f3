import { promises as fs } from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { AcceptGolden } from './accept';
import { rawHttp } from './test-utils/raw-http';
import { startViewerServer, type ViewerServer } from './server';

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Sends the path byte-for-byte: http.request does not normalize `..` the way fetch/URL would. */
function request(server: ViewerServer, rawPath: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path: rawPath, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** A same-origin Accept as the served page sends it: JSON body, the page's Origin and the server's token. */
function postAccept(server: ViewerServer, body: string, headers: Record<string, string> = {}): Promise<Reply> {
  const sameOrigin = { 'Content-Type': 'application/json', Origin: `http://127.0.0.1:${server.port}`, 'X-CVAE-Accept-Token': server.acceptToken };
  const merged = Object.fromEntries(Object.entries({ ...sameOrigin, ...headers }).filter(([, value]) => value !== ''));
  return request(server, '/api/accept', { method: 'POST', body, headers: merged });
}

const SHA = 'a'.repeat(64);
const CHECKPOINT = { path: 'runs/ref', weights: { 'encoder/weights.bin': SHA, 'decoder/weights.bin': SHA } };
const METRIC_ROW = { step: 10, trainLoss: 190, testElboStdErr: 1, reconMse: 0.07, kl: 4, epochSeconds: 60, imagesPerSecond: 500, backend: 'cpu' };

/** A run.json as training writes it (the @cvae/formats schema). */
function runJson(name: string) {
  return {
    name,
    status: 'completed',
    config: { epochs: 2, batchSize: 32, latentDim: 2, seed: 1, learningRate: 1e-4, backend: 'cpu', kl: 'monte-carlo' },
    backend: { name: 'cpu', preference: 'cpu', reason: 'cpu: requested' },
    versions: { node: 'v20', tfjs: '4.22.0', cvae: '0.1.0' },
    startedAt: '2026-01-01T00:00:00Z',
    sessions: [{ startedAt: '2026-01-01T00:00:00Z', backend: 'cpu', workers: 2 }],
    timings: { epochs: [], totalSeconds: 0 },
  };
}

/** A workspace with runs/, goldens/, report/ and public/, plus a secret file beside them. */
async function makeFixture(): Promise<Record<'root' | 'runs' | 'goldens' | 'report' | 'public', string>> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'viewer-spec-'));
  const dirs = { root, runs: path.join(root, 'runs'), goldens: path.join(root, 'goldens'), report: path.join(root, 'report'), public: path.join(root, 'public') };
  const write = async (file: string, content: string) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  };
  await write(path.join(root, 'secret.txt'), 'SECRET');
  await write(path.join(dirs.public, 'index.html'), '<!doctype html><title>viewer</title>');
  await write(path.join(dirs.runs, 'ref', 'run.json'), JSON.stringify(runJson('ref')));
  const row = (epoch: number, testElbo: number) => JSON.stringify({ ...METRIC_ROW, epoch, testElbo });
  await write(path.join(dirs.runs, 'ref', 'metrics.jsonl'), `${row(2, -150)}\n${row(1, -180)}\n{"epoch":3,"te`);
  await write(path.join(dirs.runs, 'ref', 'samples', 'epoch-0002.png'), 'png2');
  await write(path.join(dirs.runs, 'ref', 'samples', 'epoch-0001.png'), 'png1');
  await write(path.join(dirs.runs, 'ref', 'samples', 'latent-scatter.png'), 'scatter');
  // A run.json that breaks its schema: listed, with the problem named, not a crash.
  await write(path.join(dirs.runs, 'bare', 'run.json'), JSON.stringify({ ...runJson('bare'), config: { ...runJson('bare').config, batchSize: 'big' } }));
  await write(path.join(dirs.goldens, 'digits.png'), 'expected');
  await write(path.join(dirs.report, 'digits', 'actual.png'), 'actual');
  await write(path.join(dirs.report, 'digits', 'diff.png'), 'diff');
  await write(path.join(dirs.report, 'digits', 'expected.png'), 'expected-snapshot');
  // The shape @cvae/evaluation's checkGoldens writes (report format 1): paths relative to the report dir.
  const numbers = { width: 4, height: 4, expectedWidth: 4, expectedHeight: 4, diffPixels: 12, diffRatio: 0.75, maxDelta: 200, thresholds: { threshold: 0.1, maxDiffPixels: 0 } };
  const comparisons = [
    { name: 'digits', kind: 'prior', seed: 7, grid: 4, status: 'fail', expected: 'digits/expected.png', actual: 'digits/actual.png', diff: 'digits/diff.png', result: null, ...numbers, message: 'golden digits: FAIL' },
    { name: 'leaky', kind: 'prior', seed: 0, grid: 1, status: 'pass', expected: '../secret.txt', actual: path.join(root, 'secret.txt'), diff: '../../secret.txt', result: null, ...numbers, message: 'golden leaky: pass' },
  ];
  const counts = { pass: 1, fail: 1, missing: 0, 'size-mismatch': 0 };
  await write(path.join(dirs.report, 'report.json'), JSON.stringify({ formatVersion: 1, createdAt: '2026-01-01T00:00:00Z', passed: false, checkpoint: CHECKPOINT, backend: 'cpu', goldensDir: '../goldens', counts, comparisons }));
  const golden = { file: 'digits.png', kind: 'prior', seed: 7, grid: 4, checkpoint: CHECKPOINT, backend: 'cpu', width: 4, height: 4, sha256: SHA, createdAt: '2026-01-02T00:00:00Z', via: 'accept' };
  await write(path.join(dirs.goldens, 'goldens.json'), JSON.stringify({ digits: golden }));
  await fs.symlink(path.join(root, 'secret.txt'), path.join(dirs.runs, 'ref', 'escape.txt'));
  await fs.symlink(path.join(dirs.runs, 'ref', 'run.json'), path.join(dirs.runs, 'ref', 'inside-link.json'));
  return dirs;
}

describe('viewer server', () => {
  let dirs: Awaited<ReturnType<typeof makeFixture>>;
  let server: ViewerServer;
  const acceptCalls: Parameters<AcceptGolden>[] = [];
  let acceptImpl: AcceptGolden;

  beforeAll(async () => {
    dirs = await makeFixture();
    server = await startViewerServer({
      runsDir: dirs.runs,
      goldensDir: dirs.goldens,
      reportDir: dirs.report,
      publicDir: dirs.public,
      port: 0,
      allowAccept: true,
      acceptGolden: (...args) => acceptImpl(...args),
    });
  });
  beforeEach(() => {
    acceptCalls.length = 0;
    acceptImpl = async (...args) => {
      acceptCalls.push(args);
    };
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(dirs.root, { recursive: true, force: true });
  });

  it('binds loopback by default and serves the app at /', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const reply = await request(server, '/');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toContain('text/html');
    expect(reply.body).toContain('<title>viewer</title>');
  });

  it('serves files inside the runs, goldens and report directories', async () => {
    expect((await request(server, '/runs/ref/samples/epoch-0001.png')).body).toBe('png1');
    expect((await request(server, '/runs/ref/samples/epoch-0001.png')).headers['content-type']).toBe('image/png');
    expect((await request(server, '/goldens/digits.png')).body).toBe('expected');
    expect((await request(server, '/report/digits/diff.png')).body).toBe('diff');
    expect((await request(server, '/runs/ref/inside-link.json')).status).toBe(200);
  });

  it.each([
    ['dot-dot', '/runs/../secret.txt'],
    ['nested dot-dot', '/runs/ref/../../secret.txt'],
    ['encoded dot-dot', '/runs/%2e%2e/secret.txt'],
    ['upper-case encoded dot-dot', '/runs/%2E%2E/secret.txt'],
    ['encoded slash', '/runs/ref%2f..%2f..%2fsecret.txt'],
    ['encoded backslash', '/runs/..%5csecret.txt'],
    ['absolute path', `/runs/${encodeURIComponent(path.join(os.tmpdir(), 'x'))}`],
    ['double slash absolute', '/runs//etc/passwd'],
    ['NUL byte', '/runs/ref/run.json%00.png'],
    ['malformed escape', '/runs/%zz'],
    ['symlink to outside', '/runs/ref/escape.txt'],
    ['directory', '/runs/ref'],
    ['missing file', '/runs/ref/nope.png'],
    ['app dir traversal', '/../secret.txt'],
    ['app dir encoded traversal', '/%2e%2e/secret.txt'],
  ])('answers 404 and leaks nothing for %s', async (_label, rawPath) => {
    const reply = await request(server, rawPath);
    expect(reply.status).toBe(404);
    expect(reply.body).not.toContain('SECRET');
  });

  it('lists runs with parsed metrics (skipping a torn last line) and samples in epoch order', async () => {
    const ref = await runNamed('ref');
    expect(ref.run.config.epochs).toBe(2);
    expect(ref.metrics.map((m: { epoch: number }) => m.epoch)).toEqual([1, 2]);
    expect(ref.samples).toEqual([
      { epoch: 1, url: '/runs/ref/samples/epoch-0001.png' },
      { epoch: 2, url: '/runs/ref/samples/epoch-0002.png' },
    ]);
    expect(ref.decoderUrl).toBeNull();
  });

  it('names a malformed run file (file and field) instead of failing the whole list', async () => {
    const bare = await runNamed('bare');
    expect(bare.run).toBeNull();
    expect(bare.problems).toEqual(['bare/run.json: config.batchSize: Invalid input: expected number, received string (got "big")']);
    expect((await runNamed('ref')).problems).toEqual([]);
  });

  it('links a run\'s latent scatter when samples/latent-scatter.png exists, and gives null otherwise', async () => {
    const ref = await runNamed('ref');
    expect(ref.latentScatterUrl).toBe('/runs/ref/samples/latent-scatter.png');
    expect((await request(server, ref.latentScatterUrl)).body).toBe('scatter');
    expect((await runNamed('bare')).latentScatterUrl).toBeNull();
  });

  async function runNamed(name: string) {
    const { runs } = JSON.parse((await request(server, '/api/runs')).body);
    expect(runs.map((r: { name: string }) => r.name)).toEqual(['bare', 'ref']);
    return runs.find((r: { name: string }) => r.name === name);
  }

  it('maps report paths to served URLs and never to files outside the roots', async () => {
    const { report } = JSON.parse((await request(server, '/api/report')).body);
    const [digits, leaky] = report.results;
    expect(report.checkpoint).toBe('runs/ref');
    expect(digits).toMatchObject({
      expectedUrl: '/goldens/digits.png', // the current golden, not the report's snapshot
      actualUrl: '/report/digits/actual.png',
      diffUrl: '/report/digits/diff.png',
      seed: 7,
      grid: 4,
      differingPixels: 12,
      allowedPixels: 0,
      threshold: 0.1,
      acceptedSinceReport: true,
    });
    expect([leaky.expectedUrl, leaky.actualUrl, leaky.diffUrl]).toEqual([null, null, null]);
  });

  it('reports allowAccept in /api/config', async () => {
    expect(JSON.parse((await request(server, '/api/config')).body)).toEqual({ allowAccept: true, acceptToken: server.acceptToken });
    expect(server.acceptToken).toMatch(/^[0-9a-f]{48}$/);
  });

  it('accepts a golden named in the report through acceptGolden', async () => {
    const reply = await postAccept(server, JSON.stringify({ name: 'digits' }));
    expect(reply.status).toBe(200);
    expect(acceptCalls).toEqual([['digits', { reportDir: dirs.report, goldensDir: dirs.goldens }]]);
  });

  it.each([
    ['non-JSON body', '{name:', undefined],
    ['array body', '["digits"]', undefined],
    ['missing name', '{}', undefined],
    ['name with traversal', JSON.stringify({ name: '../digits' }), undefined],
    ['name with a dot', JSON.stringify({ name: 'digits.png' }), undefined],
    ['name not in the report', JSON.stringify({ name: 'unknown' }), undefined],
    ['oversized body', JSON.stringify({ name: 'digits', pad: 'x'.repeat(10_000) }), undefined],
    ['wrong content type', JSON.stringify({ name: 'digits' }), { 'Content-Type': 'text/plain' }],
  ])('refuses %s with 400 without calling acceptGolden', async (_label, body, headers) => {
    const reply = await postAccept(server, body, headers);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toEqual(expect.any(String));
    expect(acceptCalls).toHaveLength(0);
  });

  it('refuses a cross-origin accept with 403', async () => {
    const reply = await postAccept(server, JSON.stringify({ name: 'digits' }), { Origin: 'http://evil.example' });
    expect(reply.status).toBe(403);
    expect(acceptCalls).toHaveLength(0);
  });

  it('turns a failing acceptGolden into a 500 and keeps serving', async () => {
    acceptImpl = async () => {
      throw new Error('disk full');
    };
    const reply = await postAccept(server, JSON.stringify({ name: 'digits' }));
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body).error).toContain('disk full');
    expect((await request(server, '/api/config')).status).toBe(200);
  });

  it('answers other methods with 405', async () => {
    expect((await request(server, '/api/accept')).status).toBe(405);
    expect((await request(server, '/runs/ref/run.json', { method: 'DELETE' })).status).toBe(405);
  });

  it('survives malformed HTTP', async () => {
    const answer = await rawHttp(server.port, 'GARBAGE \0\r\n\r\n');
    expect(answer).toContain('400');
    expect((await request(server, '/api/config')).status).toBe(200);
  });
});

describe('viewer server without --allow-accept', () => {
  it('reports allowAccept false and refuses POST /api/accept with 403', async () => {
    const dirs = await makeFixture();
    let called = false;
    const server = await startViewerServer({
      runsDir: dirs.runs, goldensDir: dirs.goldens, reportDir: dirs.report, publicDir: dirs.public, port: 0,
      acceptGolden: async () => {
        called = true;
      },
    });
    try {
      expect(JSON.parse((await request(server, '/api/config')).body)).toEqual({ allowAccept: false });
      expect((await postAccept(server, JSON.stringify({ name: 'digits' }))).status).toBe(403);
      expect(called).toBe(false);
    } finally {
      await server.close();
      await fs.rm(dirs.root, { recursive: true, force: true });
    }
  });
});
