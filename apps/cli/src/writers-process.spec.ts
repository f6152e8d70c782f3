/**
 * Writers that never step on each other, as real processes: two trainers of one run, a golden update
 * racing another, kill -9 in the middle of golden writes; and the training process's memory over ten
 * epochs. Needs the built CLI (`nx test cli` builds it first).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { KILL_AT_ENV, verifyGoldens, withGoldensLock } from '@cvae/evaluation';
import { MetricRow, SUITE_FILE, type Suite } from '@cvae/formats';
import { WORKSPACE_ROOT, assertCliBuilt, exitOf, killAll, runCvae, startCvae, waitForStdout } from './test-utils/cli-process';

const TINY_RUN = ['--limit', '640', '--batch-size', '32', '--epochs', '2', '--test-limit', '200', '--backend', 'wasm', '--seed', '1', '--workers', '1'];

jest.setTimeout(180_000);

let scratch: string;
beforeAll(() => {
  assertCliBuilt();
  scratch = mkdtempSync(path.join(tmpdir(), 'cvae-writers-'));
});
afterEach(killAll);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('one trainer per run', () => {
  it('two `cvae train --name X` at once: one trains, the other stops with one line', async () => {
    const out = path.join(scratch, 'race');
    const [a, b] = await Promise.all([runCvae(['train', ...TINY_RUN, '--out', out, '--name', 'x']), runCvae(['train', ...TINY_RUN, '--out', out, '--name', 'x'])]);
    const codes = [a.code, b.code].sort();
    expect(codes[0]).toBe(0);
    expect(codes[1]).not.toBe(0);
    const loser = a.code === 0 ? b : a;
    expect(loser.stderr).toMatch(new RegExp(`^cvae: (run ${path.join(out, 'x')} already exists|run directory ${path.join(out, 'x')} already exists|run ${path.join(out, 'x')} is being trained)`));
    expect(loser.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('`--resume X` while X is training fails at once naming the training process; the run is unharmed', async () => {
    const out = path.join(scratch, 'resume-busy');
    const first = startCvae(['train', ...TINY_RUN, '--out', out, '--name', 'busy']);
    await waitForStdout(first, /^epoch 1 /m);
    const second = await runCvae(['train', '--resume', 'busy', '--out', out, '--epochs', '3']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`^cvae: run ${path.join(out, 'busy')} is being trained: .*\\.lock is locked by pid ${first.child.pid} on \\S+ \\(cvae train .*busy, since [^)]+\\); if no such process is running \\(check: ps -p ${first.child.pid}\\), remove .*busy/\\.lock\\n$`));
    expect((await exitOf(first, 120_000)).code).toBe(0);
  });
});

/** A workspace of its own (CVAE_WORKSPACE) with a small suite of the reference checkpoint (the reference suite's checkpoint, dataset and gates, four small images). */
function goldensWorkspace(name: string): { env: NodeJS.ProcessEnv; suiteDir: string; editSuite: (edit: (suite: Suite) => void) => void } {
  const root = path.join(scratch, name);
  const suiteDir = path.join(root, 'suites', 'reference');
  mkdirSync(suiteDir, { recursive: true });
  cpSync(path.join(WORKSPACE_ROOT, 'runs', 'reference', 'checkpoints', 'last'), path.join(root, 'runs', 'reference', 'checkpoints', 'last'), { recursive: true });
  const tolerance = { threshold: 0.05, maxDiffPixels: 0 };
  const images = { a: { kind: 'prior', seed: 1, grid: 3, tolerance }, b: { kind: 'prior', seed: 2, grid: 3, tolerance }, c: { kind: 'recon', seed: 0, grid: 4, tolerance }, d: { kind: 'manifold', seed: 0, grid: 3, tolerance } };
  const reference = JSON.parse(readFileSync(path.join(WORKSPACE_ROOT, 'suites', 'reference', SUITE_FILE), 'utf8')) as Suite;
  const suiteFile = path.join(suiteDir, SUITE_FILE);
  writeFileSync(suiteFile, JSON.stringify({ ...reference, images }));
  const editSuite = (edit: (suite: Suite) => void) => {
    const suite = JSON.parse(readFileSync(suiteFile, 'utf8')) as Suite;
    edit(suite);
    writeFileSync(suiteFile, JSON.stringify(suite));
  };
  return { env: { CVAE_WORKSPACE: root, CVAE_BACKEND: 'wasm' }, suiteDir, editSuite };
}

describe('golden writers across processes', () => {
  it('two `cvae golden update` at once: the second waits for the first; every golden matches its index', async () => {
    const { env, suiteDir } = goldensWorkspace('two-updates');
    const results = await Promise.all([runCvae(['golden', 'update'], { env, timeoutMs: 120_000 }), runCvae(['golden', 'update', 'a', 'b'], { env, timeoutMs: 120_000 })]);
    expect(results.map((r) => [r.code, r.stderr])).toEqual([[0, ''], [0, '']]);
    expect((await verifyGoldens(suiteDir)).map((g) => [g.name, g.status])).toEqual(['a', 'b', 'c', 'd'].map((n) => [n, 'ok']));
  });

  it('kill -9 at any moment of `cvae golden update`: goldens and index stay consistent, or the one interrupted write is finished by the next writer', async () => {
    const { env, suiteDir, editSuite } = goldensWorkspace('kill-update');
    expect((await runCvae(['golden', 'update'], { env, timeoutMs: 120_000 })).code).toBe(0);
    // A new recipe seed each round makes every update write a and b; each round kills it after another delay.
    const delays = [300, 900, 1500, 2100, 2700, 3300];
    for (const [round, delay] of delays.entries()) {
      editSuite((suite) => {
        suite.images.a.seed = 100 + round;
        suite.images.b.seed = 200 + round;
      });
      const update = startCvae(['golden', 'update', 'a', 'b'], { env });
      await new Promise((resolve) => setTimeout(resolve, delay));
      update.child.kill('SIGKILL');
      await update.exited;
      const before = (await verifyGoldens(suiteDir)).filter((g) => g.status !== 'ok');
      // At most the one golden whose write was cut between its index entry and its rename is stale, and its pending file is there.
      expect(before.length).toBeLessThanOrEqual(1);
      if (before.length === 1) expect(readdirSync(suiteDir)).toContain(`${before[0].name}.png.pending`);
      await withGoldensLock(suiteDir, 'test: recover', async () => undefined);
      expect((await verifyGoldens(suiteDir)).every((g) => g.status === 'ok')).toBe(true);
    }
    // The same, deterministically at the one dangerous instant: after the index entry, before the rename.
    editSuite((suite) => {
      suite.images.a.seed = 999;
    });
    const killed = await runCvae(['golden', 'update', 'a'], { env: { ...env, [KILL_AT_ENV]: 'index' }, timeoutMs: 120_000 });
    expect(killed.signal).toBe('SIGKILL');
    expect((await verifyGoldens(suiteDir)).filter((g) => g.status !== 'ok').map((g) => g.name)).toEqual(['a']);
    const check = await runCvae(['golden', 'check', '--report', path.join(scratch, 'kill-report')], { env, timeoutMs: 120_000 });
    expect(check.stderr).toBe('');
    expect((await verifyGoldens(suiteDir)).every((g) => g.status === 'ok')).toBe(true);
  });
});

describe('memory over a 10-epoch run', () => {
  it('the training process does not grow: RSS after epoch 10 is within 10% above its lowest since epoch 2', async () => {
    const out = path.join(scratch, 'memory');
    // --expose-gc: training collects this thread's garbage before each RSS sample, so what is measured is what stays alive.
    const env = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() };
    const run = await runCvae(['train', '--epochs', '10', '--limit', '1000', '--test-limit', '500', '--batch-size', '32', '--workers', '2', '--backend', 'wasm', '--out', out, '--name', 'rss'], { env, timeoutMs: 170_000 });
    expect(run.code).toBe(0);
    const rows = readFileSync(path.join(out, 'rss', 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as MetricRow);
    const rss = rows.map((row) => row.rssMb as number);
    expect(rss).toHaveLength(10);
    // From the lowest point, not from epoch 2 itself: the first major GC (freeing the dataset's load
    // buffers, ~40 MB) lands around epoch 2 or 3, so RSS can drop by 10% between them — that is not growth.
    const lowest = Math.min(...rss.slice(1));
    expect((rss[9] - lowest) / lowest).toBeLessThan(0.1);
  });
});
