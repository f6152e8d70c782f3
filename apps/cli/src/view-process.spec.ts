/** `cvae view` as a real process: what it prints, and the rebinding request of issue 12 answered with 403. */
import * as http from 'http';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { assertCliBuilt, killAll, startCvae, waitForStdout } from './test-utils/cli-process';

jest.setTimeout(60_000);

function request(port: number, route: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: route, method: body === undefined ? 'GET' : 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
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
    expect(await request(Number(port), '/api/runs', evil)).toBe(403);
    expect(await request(Number(port), '/api/accept', evil, JSON.stringify({ name: 'prior' }))).toBe(403);
    expect(await request(Number(port), '/api/config', { Host: `localhost:${port}` })).toBe(200);
    expect(view.stderr()).toBe('');
  });

  it('binding anything but loopback needs --host and warns, pointing at SSH port forwarding', async () => {
    const view = startCvae(['view', '--port', '0', '--host', '0.0.0.0', '--runs', runs]);
    await waitForStdout(view, /^viewer: http:\/\/0\.0\.0\.0:\d+\//m);
    expect(view.stderr()).toMatch(/^cvae view: warning: binding 0\.0\.0\.0 makes your runs, checkpoints and reports readable from the network; .*ssh -L /);
    expect(view.stdout()).not.toContain('accept token');
  });
});
