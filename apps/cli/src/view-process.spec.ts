/** `cvae view` as a real process: what it prints, and the rebinding request of issue 12 answered with 403. */
import * as http from 'http';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { assertCliBuilt, killAll, startCvae, waitForStdout } from './test-utils/cli-process';

jest.setTimeout(60_000);

const REFERENCE_CHECKPOINT = path.resolve(__dirname, '..', '..', '..', 'runs', 'reference', 'checkpoints', 'last');

/** A request to a local viewer (GET, or POST with a body): its status and text. */
function request(port: number, route: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: route, method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('cvae view', () => {
  let runs: string;
  beforeAll(() => {
    assertCliBuilt();
    runs = mkdtempSync(path.join(tmpdir(), 'cvae-view-'));
  });
  afterEach(killAll);
  afterAll(() => rmSync(runs, { recursive: true, force: true }));

  it('prints its URL and, with --allow-accept, the token; a rebinding host gets 403 on GET and POST', async () => {
    const view = startCvae(['view', '--port', '0', '--allow-accept', '--runs', runs]);
    const [, port] = await waitForStdout(view, /^viewer: http:\/\/127\.0\.0\.1:(\d+)\//m);
    const [, token] = await waitForStdout(view, /^accept token \(header X-CVAE-Accept-Token, for clients other than the page\): ([0-9a-f]{48})$/m);
    const evil = { Host: `evil.example:${port}`, Origin: `http://evil.example:${port}`, 'Content-Type': 'application/json', 'X-CVAE-Accept-Token': token };
    expect((await request(Number(port), '/api/runs', evil)).status).toBe(403);
    expect((await request(Number(port), '/api/accept', evil, JSON.stringify({ name: 'prior' }))).status).toBe(403);
    expect((await request(Number(port), '/api/config', { Host: `localhost:${port}` })).status).toBe(200);
    expect(view.stderr()).toBe('');
  });

  it('--backend picks the backend of the latent explorer\'s encoder pass (cpu and wasm put the images in slightly different places)', async () => {
    const run = path.join(runs, 'encoded');
    mkdirSync(run, { recursive: true });
    const config = { epochs: 1, batchSize: 32, latentDim: 2, seed: 1, learningRate: 1e-4, backend: 'wasm', kl: 'monte-carlo', testLimit: 40 };
    writeFileSync(path.join(run, 'run.json'), JSON.stringify({
      name: 'encoded', status: 'completed', config, backend: { name: 'wasm', preference: 'wasm', reason: 'wasm: requested' },
      versions: { node: 'v20', tfjs: '4.22.0', cvae: '0.1.0' }, startedAt: '2026-01-01T00:00:00Z', sessions: [], timings: { epochs: [], totalSeconds: 0 },
    }));
    cpSync(REFERENCE_CHECKPOINT, path.join(run, 'checkpoints', 'last'), { recursive: true });
    const means = async (backend: string) => {
      const view = startCvae(['view', '--port', '0', '--runs', runs, '--backend', backend]);
      const [, port] = await waitForStdout(view, /^viewer: http:\/\/127\.0\.0\.1:(\d+)\//m);
      const reply = await request(Number(port), '/api/latent?run=encoded');
      if (reply.status !== 200) throw new Error(`/api/latent: ${reply.status} ${reply.text}`);
      return JSON.parse(reply.text) as { count: number; means: string };
    };
    const [cpu, wasm] = [await means('cpu'), await means('wasm')];
    expect([cpu.count, wasm.count]).toEqual([40, 40]);
    expect(cpu.means).not.toBe(wasm.means);
    const closeTo = (a: string, b: string) => {
      const [x, y] = [Buffer.from(a, 'base64'), Buffer.from(b, 'base64')].map((bytes) => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
      return x.every((v, i) => Math.abs(v - y[i]) < 1e-3);
    };
    expect(closeTo(cpu.means, wasm.means)).toBe(true);
  });

  it('binding anything but loopback needs --host and warns, pointing at SSH port forwarding', async () => {
    const view = startCvae(['view', '--port', '0', '--host', '0.0.0.0', '--runs', runs]);
    await waitForStdout(view, /^viewer: http:\/\/0\.0\.0\.0:\d+\//m);
    expect(view.stderr()).toMatch(/^cvae view: warning: binding 0\.0\.0\.0 makes your runs, checkpoints and reports readable from the network; .*ssh -L /);
    expect(view.stdout()).not.toContain('accept token');
  });
});
