import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { RunSummary } from '../shared/api-types';
import { parseRunFilter, runMatches } from '../shared/run-filter';
import { request } from './test-utils/request';
import { startViewerServer, type ViewerServer } from './server';

/** A run.json in the @cvae/formats schema, with the fields the filter reads. */
function runJson(name: string, { latentDim, model, status }: { latentDim: number; model?: string; status: string }) {
  return {
    name,
    status,
    config: { epochs: 1, batchSize: 32, latentDim, seed: 1, learningRate: 1e-3, backend: 'cpu', kl: 'analytic', ...(model ? { model } : {}) },
    backend: { name: 'cpu', preference: 'cpu', reason: 'cpu: requested' },
    versions: { node: 'v20', tfjs: '4.22.0', cvae: '0.1.0' },
    startedAt: '2026-01-01T00:00:00Z',
    sessions: [{ startedAt: '2026-01-01T00:00:00Z', backend: 'cpu' }],
    timings: { epochs: [], totalSeconds: 0 },
  };
}

const RUNS = {
  'sweep-a': { latentDim: 8, model: 'conv32', status: 'completed' },
  'sweep-b': { latentDim: 16, model: 'conv32-rgb', status: 'failed' },
  'mnist-2': { latentDim: 2, status: 'completed' },
  'Big-Latent': { latentDim: 128, model: 'mlp', status: 'interrupted' },
};

describe('GET /api/runs: the filter and the parsed-file cache', () => {
  let root: string;
  let runsDir: string;
  let server: ViewerServer;
  const names = async (query = ''): Promise<string[]> => runsOf((await request(server.port, `/api/runs${query}`)).body).map((r) => r.name);
  const runsOf = (body: string) => (JSON.parse(body) as { runs: RunSummary[] }).runs;
  const writeRun = async (name: string, json: object) => {
    await fs.mkdir(path.join(runsDir, name), { recursive: true });
    await fs.writeFile(path.join(runsDir, name, 'run.json'), JSON.stringify(json));
  };

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'viewer-runs-list-'));
    runsDir = path.join(root, 'runs');
    for (const [name, fields] of Object.entries(RUNS)) await writeRun(name, runJson(name, fields));
    server = await startViewerServer({ runsDir, suitesDir: path.join(root, 'suites'), reportsDir: path.join(root, 'reports'), port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('answers every run without a filter, and the matching ones with ?filter=', async () => {
    expect(await names()).toEqual(['Big-Latent', 'mnist-2', 'sweep-a', 'sweep-b']);
    expect(await names('?filter=SWEEP')).toEqual(['sweep-a', 'sweep-b']);
    expect(await names('?filter=model%3Aconv32-rgb')).toEqual(['sweep-b']);
    expect(await names('?filter=latent+8')).toEqual(['sweep-a']);
    expect(await names('?filter=sweep+completed')).toEqual(['sweep-a']);
    expect(await names('?filter=nothing-like-this')).toEqual([]);
  });

  it('sees a rewritten, a broken, a fixed and a deleted run.json at the next request', async () => {
    const modelOf = async (name: string) => runsOf((await request(server.port, '/api/runs')).body).find((r) => r.name === name);
    expect((await modelOf('mnist-2'))?.run?.config.model).toBeUndefined();
    // In place (same inode), as another tool might write it; then atomically (a new inode).
    await fs.writeFile(path.join(runsDir, 'mnist-2', 'run.json'), JSON.stringify(runJson('mnist-2', { latentDim: 2, model: 'mlp', status: 'completed' })));
    expect((await modelOf('mnist-2'))?.run?.config.model).toBe('mlp');
    await writeRun('mnist-2', { ...runJson('mnist-2', { latentDim: 2, status: 'completed' }), status: 'exploded' });
    expect((await modelOf('mnist-2'))?.problems).toEqual([expect.stringMatching(/^mnist-2\/run\.json: status: /)]);
    expect((await modelOf('mnist-2'))?.problems).toHaveLength(1); // a cached problem is reported, once
    await writeRun('mnist-2', runJson('mnist-2', { latentDim: 4, status: 'completed' }));
    expect(await modelOf('mnist-2')).toMatchObject({ latentDim: 4, problems: [] });
    await fs.rm(path.join(runsDir, 'mnist-2'), { recursive: true });
    expect(await names()).not.toContain('mnist-2');
  });
});

describe('the runs filter', () => {
  const run = (name: string, fields: { latentDim: number | null; model?: string; status?: string; liveness?: string }) =>
    ({
      name,
      latentDim: fields.latentDim,
      run: fields.status ? { status: fields.status, config: { model: fields.model } } : null,
      liveness: { state: fields.liveness ?? 'finished', reason: '' },
    }) as unknown as RunSummary;
  const live = run('Sweep-Conv-7', { latentDim: 16, model: 'conv32-RGB', status: 'running', liveness: 'live' });
  const bare = run('old', { latentDim: null, liveness: 'unknown' });

  it('matches name, model, status, liveness and latent size, case-insensitively; every term must match', () => {
    expect(['', '  ', 'sweep', 'SWEEP-conv', 'rgb', 'running', 'live', '16', 'latent 16', 'latent:16', 'latent=16', 'Latent 16'].filter((f) => !runMatches(live, f))).toEqual([]);
    expect(['latent 1', 'latent:6', '1', 'conv64', 'completed', 'sweep completed', 'model:sweep', 'name:rgb', 'status:conv'].filter((f) => runMatches(live, f))).toEqual([]);
    expect(runMatches(live, 'model:CONV32 name:sweep status:live latent:16')).toBe(true);
    expect(runMatches(live, '7')).toBe(true); // a bare number: part of the name, or the latent size
  });

  it('matches a run without run.json or latent size by its name only', () => {
    expect(runMatches(bare, 'old')).toBe(true);
    expect(runMatches(bare, 'latent:0')).toBe(false);
    expect(runMatches(bare, 'unknown')).toBe(true); // its liveness is unknown
  });

  it('reads `latent N` as one term and unknown prefixes as plain text', () => {
    expect(parseRunFilter('Latent  8 foo:bar')).toEqual([{ field: 'latent', text: '8' }, { field: null, text: 'foo:bar' }]);
  });
});
