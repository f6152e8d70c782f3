/**
 * DNS rebinding, cross-origin and token checks over real HTTP, with the real acceptGolden of
 * @cvae/evaluation writing real golden PNGs: a refused request must change no file.
 */
import { createHash } from 'crypto';
import { promises as fs } from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { encodePng } from '@cvae/images';
import { rawHttp } from './test-utils/raw-http';
import { FIXTURE_CHECKPOINT, fixtureEntry, fixtureReport, fixtureResult, fixtureSuite, writeJson } from './test-utils/suite-fixture';
import { startViewerServer, type ViewerServer } from './server';

interface Reply {
  status: number;
  body: string;
}

function request(port: number, rawPath: string, headers: Record<string, string>, init: { method?: string; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: init.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const png = (value: number) => encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(4).fill(value) });
const SUITE = 'digits-suite';

/** suites/digits-suite with one golden, and its report whose failing comparison would replace it. */
async function workspace(): Promise<{ root: string; runs: string; suites: string; suite: string; reports: string }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'viewer-guard-'));
  const dirs = { root, runs: path.join(root, 'runs'), suites: path.join(root, 'suites'), suite: path.join(root, 'suites', SUITE), reports: path.join(root, 'reports') };
  const report = path.join(dirs.reports, SUITE);
  await fs.mkdir(dirs.runs);
  await fs.mkdir(path.join(report, 'digits'), { recursive: true });
  await writeJson(path.join(dirs.suite, 'suite.json'), fixtureSuite(['digits']));
  const entry = fixtureEntry('digits', { grid: 2, width: 2, height: 2, expectedWidth: 2, expectedHeight: 2, expected: null, diff: null });
  const provenance = { kind: 'prior', seed: 7, grid: 2, checkpoint: FIXTURE_CHECKPOINT, backend: 'cpu' };
  await fs.writeFile(path.join(dirs.suite, 'digits.png'), png(0));
  const record = { ...provenance, file: 'digits.png', width: 2, height: 2, sha256: createHash('sha256').update(png(0)).digest('hex'), createdAt: '2026-01-01T00:00:00Z', via: 'update' };
  await writeJson(path.join(dirs.suite, 'goldens.json'), { digits: record });
  await fs.writeFile(path.join(report, 'digits', 'actual.png'), png(255));
  await writeJson(path.join(report, 'digits', 'result.json'), fixtureResult(entry));
  await writeJson(path.join(report, 'report.json'), fixtureReport(SUITE, [entry]));
  return dirs;
}

/** Every file of the goldens directory and its bytes. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const files = await fs.readdir(dir);
  return Object.fromEntries(await Promise.all(files.map(async (f) => [f, (await fs.readFile(path.join(dir, f))).toString('base64')])));
}

describe('viewer server: Host, Origin and token checks (real HTTP, real acceptGolden)', () => {
  let dirs: Awaited<ReturnType<typeof workspace>>;
  let server: ViewerServer;
  let other: ViewerServer;
  let local: string;
  const accept = (headers: Record<string, string>) => request(server.port, '/api/accept', { 'Content-Type': 'application/json', ...headers }, { method: 'POST', body: JSON.stringify({ suite: SUITE, name: 'digits' }) });

  beforeAll(async () => {
    dirs = await workspace();
    const options = { runsDir: dirs.runs, suitesDir: dirs.suites, reportsDir: dirs.reports, publicDir: dirs.root, port: 0, allowAccept: true, allowedHosts: ['viewer.internal'] };
    server = await startViewerServer(options);
    other = await startViewerServer(options);
    local = `127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
    await other.close();
    await fs.rm(dirs.root, { recursive: true, force: true });
  });

  it.each(['/api/runs', '/api/config', '/api/suites', `/api/report?suite=${SUITE}`, `/suites/${SUITE}/digits.png`, `/reports/${SUITE}/digits/actual.png`])('refuses a GET of %s addressed to a rebinding host name, naming the Host', async (route) => {
    const reply = await request(server.port, route, { Host: `evil.example:${server.port}` });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).error).toMatch(new RegExp(`^Host 'evil.example:${server.port}' is not allowed`));
    expect(reply.body).not.toContain(server.acceptToken);
  });

  it('refuses the rebinding POST (Host and Origin agree on the attacker\'s name) and changes no file', async () => {
    const before = await snapshot(dirs.suite);
    const reply = await accept({ Host: `evil.example:${server.port}`, Origin: `http://evil.example:${server.port}`, 'X-CVAE-Accept-Token': server.acceptToken });
    expect(reply.status).toBe(403);
    expect(await snapshot(dirs.suite)).toEqual(before);
  });

  it.each([
    ['a cross-origin page', { Origin: 'http://evil.example' }, /^cross-origin request refused/],
    ['an Origin that is not http', { Origin: 'null' }, /^cross-origin request refused/],
    ['a missing token', { 'X-CVAE-Accept-Token': '' }, /^missing x-cvae-accept-token header/],
    ['a wrong token', { 'X-CVAE-Accept-Token': 'f'.repeat(48) }, /^wrong x-cvae-accept-token/],
  ])('refuses an Accept from %s with 403 and changes no file', async (_label, headers, message) => {
    const before = await snapshot(dirs.suite);
    const sent = Object.fromEntries(Object.entries({ Host: local, Origin: `http://${local}`, 'X-CVAE-Accept-Token': server.acceptToken, ...headers }).filter(([, v]) => v !== ''));
    const reply = await accept(sent);
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).error).toMatch(message);
    expect(await snapshot(dirs.suite)).toEqual(before);
  });

  it('refuses a token replayed from another viewer process', async () => {
    expect(other.acceptToken).not.toBe(server.acceptToken);
    const reply = await accept({ Host: local, 'X-CVAE-Accept-Token': other.acceptToken });
    expect(reply.status).toBe(403);
  });

  it.each(['127.0.0.1', 'localhost', 'LocalHost', '[::1]', 'viewer.internal'])('answers to %s on its own port only', async (name) => {
    expect((await request(server.port, '/api/config', { Host: `${name}:${server.port}` })).status).toBe(200);
    expect((await request(server.port, '/api/config', { Host: `${name}:${server.port + 1}` })).status).toBe(403);
    expect((await request(server.port, '/api/config', { Host: name })).status).toBe(403);
  });

  it('refuses a request without a Host header', async () => {
    const answer = await rawHttp(server.port, 'GET /api/config HTTP/1.0\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 403/);
  });

  it('accepts with the token from a non-browser client (no Origin), writing the golden', async () => {
    const reply = await accept({ Host: local, 'X-CVAE-Accept-Token': server.acceptToken });
    expect([reply.status, reply.body]).toEqual([200, JSON.stringify({ accepted: 'digits' })]);
    expect(await fs.readFile(path.join(dirs.suite, 'digits.png'))).toEqual(png(255));
  });
});
