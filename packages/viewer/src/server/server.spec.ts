import { promises as fs } from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { AcceptGolden } from './accept';
import { rawHttp } from './test-utils/raw-http';
import { FIXTURE_CHECKPOINT, fixtureEntry, fixtureReport, fixtureSuite, writeJson } from './test-utils/suite-fixture';
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

/** A workspace with runs/, suites/, reports/ and public/, plus a secret file beside them. */
async function makeFixture(): Promise<Record<'root' | 'runs' | 'suites' | 'reports' | 'public', string>> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'viewer-spec-'));
  const dirs = { root, runs: path.join(root, 'runs'), suites: path.join(root, 'suites'), reports: path.join(root, 'reports'), public: path.join(root, 'public') };
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
  // Suite `digits-suite`, checked (report fails on `digits`, whose golden was accepted after the report);
  // suite `fresh`, never checked; `broken`, whose suite.json breaks its schema.
  const suite = path.join(dirs.suites, 'digits-suite');
  await writeJson(path.join(suite, 'suite.json'), fixtureSuite(['digits', 'leaky']));
  await write(path.join(suite, 'digits.png'), 'expected');
  const golden = { file: 'digits.png', kind: 'prior', seed: 7, grid: 4, checkpoint: FIXTURE_CHECKPOINT, backend: 'cpu', width: 4, height: 4, sha256: SHA, createdAt: '2026-01-02T00:00:00Z', via: 'accept' };
  await writeJson(path.join(suite, 'goldens.json'), { digits: golden });
  const report = path.join(dirs.reports, 'digits-suite');
  await write(path.join(report, 'digits', 'actual.png'), 'actual');
  await write(path.join(report, 'digits', 'diff.png'), 'diff');
  await write(path.join(report, 'digits', 'expected.png'), 'expected-snapshot');
  // `leaky`'s paths point outside the report directory: they must not resolve to anything served.
  const leaky = fixtureEntry('leaky', { expected: '../../secret.txt', actual: path.join(root, 'secret.txt'), diff: '../../../secret.txt', result: null });
  await writeJson(path.join(report, 'report.json'), fixtureReport('digits-suite', [fixtureEntry('digits'), leaky]));
  await writeJson(path.join(dirs.suites, 'fresh', 'suite.json'), fixtureSuite(['digits']));
  await writeJson(path.join(dirs.suites, 'broken', 'suite.json'), { ...fixtureSuite([]), gates: 'none' });
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
      suitesDir: dirs.suites,
      reportsDir: dirs.reports,
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

  it('serves files inside the runs, suites and reports directories', async () => {
    expect((await request(server, '/runs/ref/samples/epoch-0001.png')).body).toBe('png1');
    expect((await request(server, '/runs/ref/samples/epoch-0001.png')).headers['content-type']).toBe('image/png');
    expect((await request(server, '/suites/digits-suite/digits.png')).body).toBe('expected');
    expect((await request(server, '/reports/digits-suite/digits/diff.png')).body).toBe('diff');
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

  it('lists suites with their latest verdict, naming a malformed suite.json', async () => {
    const { suites } = JSON.parse((await request(server, '/api/suites')).body);
    expect(suites.map((s: { name: string }) => s.name)).toEqual(['broken', 'digits-suite', 'fresh']);
    expect(suites[1]).toMatchObject({ problem: null, images: ['digits', 'leaky'], checkpoint: 'runs/ref', report: { passed: false } });
    expect(suites[2].report).toBeNull();
    expect(suites[0].problem).toMatch(/broken\/suite\.json: gates/);
  });

  it("serves a suite's report with the goldens accepted since it was written", async () => {
    const reply = JSON.parse((await request(server, '/api/report?suite=digits-suite')).body);
    expect(reply.report.suite.name).toBe('digits-suite');
    expect(reply.report.comparisons.map((c: { name: string }) => c.name)).toEqual(['digits', 'leaky']);
    expect(reply.acceptedSinceReport).toEqual(['digits']);
    expect(JSON.parse((await request(server, '/api/report?suite=fresh')).body)).toEqual({ report: null, acceptedSinceReport: [] });
  });

  it.each([
    ['unknown suite', '/api/report?suite=nope', 404],
    ['traversal', '/api/report?suite=..', 400],
    ['missing parameter (the reference suite, absent here)', '/api/report', 404],
  ])('refuses a report request for a %s', async (_label, route, status) => {
    const reply = await request(server, route);
    expect(reply.status).toBe(status);
    expect(JSON.parse(reply.body).error).toEqual(expect.any(String));
  });

  it("resolves a report's paths only inside its report directory: a path that leaves it serves nothing", async () => {
    const { report } = JSON.parse((await request(server, '/api/report?suite=digits-suite')).body);
    const leaky = report.comparisons[1];
    for (const file of [leaky.expected, leaky.actual, leaky.diff]) {
      // What a browser requests for the path relative to /reports/digits-suite/ (it normalizes the dots away).
      const url = new URL(file, `${server.url}/reports/digits-suite/`);
      const reply = await request(server, url.pathname);
      expect(reply.status).toBe(404);
      expect(reply.body).not.toContain('SECRET');
    }
  });

  it('reports allowAccept in /api/config', async () => {
    expect(JSON.parse((await request(server, '/api/config')).body)).toEqual({ allowAccept: true, acceptToken: server.acceptToken });
    expect(server.acceptToken).toMatch(/^[0-9a-f]{48}$/);
  });

  it('accepts a golden named in the report through acceptGolden', async () => {
    const reply = await postAccept(server, JSON.stringify({ suite: 'digits-suite', name: 'digits' }));
    expect(reply.status).toBe(200);
    expect(acceptCalls).toEqual([['digits', { reportDir: path.join(dirs.reports, 'digits-suite'), suiteDir: path.join(dirs.suites, 'digits-suite') }]]);
  });

  it.each([
    ['non-JSON body', '{name:', undefined],
    ['array body', '["digits"]', undefined],
    ['missing name', JSON.stringify({ suite: 'digits-suite' }), undefined],
    ['missing suite', JSON.stringify({ name: 'digits' }), undefined],
    ['name with traversal', JSON.stringify({ suite: 'digits-suite', name: '../digits' }), undefined],
    ['suite with traversal', JSON.stringify({ suite: '../digits-suite', name: 'digits' }), undefined],
    ['name with a dot', JSON.stringify({ suite: 'digits-suite', name: 'digits.png' }), undefined],
    ['name not in the report', JSON.stringify({ suite: 'digits-suite', name: 'unknown' }), undefined],
    ['suite without a report', JSON.stringify({ suite: 'fresh', name: 'digits' }), undefined],
    ['oversized body', JSON.stringify({ suite: 'digits-suite', name: 'digits', pad: 'x'.repeat(10_000) }), undefined],
    ['wrong content type', JSON.stringify({ suite: 'digits-suite', name: 'digits' }), { 'Content-Type': 'text/plain' }],
  ])('refuses %s with 400 without calling acceptGolden', async (_label, body, headers) => {
    const reply = await postAccept(server, body, headers);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toEqual(expect.any(String));
    expect(acceptCalls).toHaveLength(0);
  });

  it('refuses a cross-origin accept with 403', async () => {
    const reply = await postAccept(server, JSON.stringify({ suite: 'digits-suite', name: 'digits' }), { Origin: 'http://evil.example' });
    expect(reply.status).toBe(403);
    expect(acceptCalls).toHaveLength(0);
  });

  it('turns a failing acceptGolden into a 500 and keeps serving', async () => {
    acceptImpl = async () => {
      throw new Error('disk full');
    };
    const reply = await postAccept(server, JSON.stringify({ suite: 'digits-suite', name: 'digits' }));
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
      runsDir: dirs.runs, suitesDir: dirs.suites, reportsDir: dirs.reports, publicDir: dirs.public, port: 0,
      acceptGolden: async () => {
        called = true;
      },
    });
    try {
      expect(JSON.parse((await request(server, '/api/config')).body)).toEqual({ allowAccept: false });
      expect((await postAccept(server, JSON.stringify({ suite: 'digits-suite', name: 'digits' }))).status).toBe(403);
      expect(called).toBe(false);
    } finally {
      await server.close();
      await fs.rm(dirs.root, { recursive: true, force: true });
    }
  });
});
