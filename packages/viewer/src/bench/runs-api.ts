/**
 * How long GET /api/runs takes for many runs: writes N small run directories (a real run.json and
 * metrics.jsonl in the @cvae/formats schemas, no checkpoints) into a temp dir, starts the real viewer server
 * on loopback, and times sequential requests. Prints the cold (first) request, then the median and max of
 * the warm ones, in ms; then what one poll of /api/events' change check takes.
 *
 *   npx tsx packages/viewer/src/bench/runs-api.ts --runs 1000 --requests 20
 */
import { promises as fs } from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import type { MetricRow, RunInfo } from '@cvae/formats';
import type { RunSummary } from '../shared/api-types';
import { runsSignature } from '../server/events';
import { startViewerServer } from '../server/server';

const USAGE = 'usage: runs-api [--runs N] [--requests N] [--epochs N]';
const FLAGS = { runs: 1000, requests: 20, epochs: 10 };
type Flags = typeof FLAGS;
const PRESETS = ['mlp', 'conv32', 'conv32-rgb', 'conv64-rgb'];
const LATENT_SIZES = [2, 4, 8, 16];

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'cvae-runs-bench-'));
  try {
    const runsDir = path.join(root, 'runs');
    const writeStarted = performance.now();
    await writeFakeRuns(runsDir, flags.runs, flags.epochs);
    console.log(`wrote ${flags.runs} runs of ${flags.epochs} epochs in ${Math.round(performance.now() - writeStarted)} ms`);
    const server = await startViewerServer({ runsDir, suitesDir: path.join(root, 'suites'), reportsDir: path.join(root, 'reports'), port: 0 });
    try {
      await timeRequests(server.port, flags);
      await timeEventsPoll(runsDir, flags);
    } finally {
      await server.close();
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

function parseFlags(args: string[]): Flags {
  const flags = { ...FLAGS };
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i].replace(/^--/, '');
    const value = Number(args[i + 1]);
    if (!args[i].startsWith('--') || !(key in flags)) usageError(`unknown flag '${args[i]}'`);
    if (!Number.isInteger(value) || value < 1) usageError(`${args[i]} expects a positive integer, got '${args[i + 1] ?? ''}'`);
    flags[key as keyof Flags] = value;
  }
  return flags;
}

function usageError(message: string): never {
  console.error(`runs-api: ${message}\n${USAGE}`);
  process.exit(2);
}

/** Run i started i minutes after a fixed date; every 50th is still running, every 7th has a model preset. */
async function writeFakeRuns(runsDir: string, count: number, epochs: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `run-${String(i).padStart(4, '0')}`);
  await Promise.all(names.map((name, i) => writeFakeRun(path.join(runsDir, name), fakeRunInfo(name, i, epochs), fakeMetrics(i, epochs))));
}

function fakeRunInfo(name: string, i: number, epochs: number): RunInfo {
  const startedAt = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
  const endedAt = new Date(Date.parse(startedAt) + epochs * 30_000).toISOString();
  const running = i % 50 === 49;
  return {
    name,
    status: running ? 'running' : 'completed',
    config: {
      epochs, batchSize: 100, latentDim: LATENT_SIZES[i % LATENT_SIZES.length], seed: i, learningRate: 1e-3, backend: 'wasm', kl: 'analytic',
      ...(i % 7 === 0 ? { model: PRESETS[(i / 7) % PRESETS.length] } : {}),
    },
    backend: { name: 'wasm', preference: 'wasm', reason: 'wasm: requested' },
    versions: { node: process.version, tfjs: '4.22.0', cvae: '0.1.0' },
    startedAt,
    ...(running ? {} : { endedAt }),
    sessions: [{ startedAt, ...(running ? {} : { endedAt }), backend: 'wasm', workers: 1 }],
    timings: { epochs: Array.from({ length: epochs }, (_, e) => ({ epoch: e + 1, trainSeconds: 25, evalSeconds: 4, saveSeconds: 1 })), totalSeconds: epochs * 30 },
  };
}

function fakeMetrics(i: number, epochs: number): MetricRow[] {
  return Array.from({ length: epochs }, (_, e) => ({
    epoch: e + 1, step: (e + 1) * 600, trainLoss: 190 - 5 * e - (i % 10), testElbo: -185 + 5 * e + (i % 10), testElboStdErr: 0.5,
    reconMse: 0.09 - 0.002 * e, kl: 3 + 0.3 * e, epochSeconds: 30, imagesPerSecond: 2000, backend: 'wasm',
  }));
}

async function writeFakeRun(dir: string, run: RunInfo, metrics: MetricRow[]): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'run.json'), JSON.stringify(run, null, 2));
  await fs.writeFile(path.join(dir, 'metrics.jsonl'), metrics.map((m) => JSON.stringify(m)).join('\n') + '\n');
}

async function timeRequests(port: number, flags: Flags): Promise<void> {
  const cold = await timedGet(port);
  checkRuns(cold.body, flags.runs);
  const warm: number[] = [];
  for (let i = 0; i < flags.requests; i++) warm.push((await timedGet(port)).ms);
  warm.sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)];
  console.log(`GET /api/runs, ${flags.runs} runs, ${(cold.body.length / 1e6).toFixed(2)} MB: cold ${cold.ms.toFixed(1)} ms; ` +
    `${flags.requests} warm requests: median ${median.toFixed(1)} ms, max ${warm[warm.length - 1].toFixed(1)} ms`);
}

/** What /api/events spends on each poll (once a second while a page listens) to notice a change. */
async function timeEventsPoll(runsDir: string, flags: Flags): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < flags.requests; i++) {
    const started = performance.now();
    await runsSignature(runsDir);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`/api/events poll, ${flags.runs} runs: median ${times[Math.floor(times.length / 2)].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms`);
}

/** The fixture is only a measure of the server when every run was read as valid. */
function checkRuns(body: string, expected: number): void {
  const runs = (JSON.parse(body) as { runs: RunSummary[] }).runs;
  const withProblems = runs.filter((r) => r.problems.length > 0 || r.run === null);
  if (runs.length !== expected || withProblems.length > 0) {
    throw new Error(`expected ${expected} valid runs, got ${runs.length} (${withProblems.length} with problems: ${withProblems[0]?.problems[0] ?? 'no run.json'})`);
  }
}

function timedGet(port: number): Promise<{ ms: number; body: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/api/runs' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`/api/runs answered ${res.statusCode}`));
        resolve({ ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8') });
      });
    }).on('error', reject);
  });
}

main().catch((error: unknown) => {
  console.error(`runs-api: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
