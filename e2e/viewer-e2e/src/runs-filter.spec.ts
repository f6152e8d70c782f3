import { spawn, type ChildProcess } from 'child_process';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { MetricRow, RunInfo } from '@cvae/formats';
import type { Page } from '@playwright/test';
import { attachScreenshot, expect, test } from './test';

/**
 * 300 small runs (run.json + metrics.jsonl, no checkpoints) in a workspace of this spec's own, served by its own
 * built viewer (serve.js, as the suite's main server): the shared fixture's runs stay as the other specs expect.
 * Run i starts i minutes after the first; its latent size is LATENT_SIZES[i % 3], its model MODELS[i % 2].
 */
const RUN_COUNT = 300;
const LATENT_SIZES = [2, 8, 16];
const MODELS = ['mlp', 'conv32'];
const DEFAULT_TICKED = 5;
const PAGE_SIZE = 50;
const runName = (i: number) => `sweep-${String(i).padStart(3, '0')}`;

async function writeRuns(runsDir: string): Promise<void> {
  await Promise.all(Array.from({ length: RUN_COUNT }, async (_, i) => {
    const dir = path.join(runsDir, runName(i));
    const startedAt = new Date(Date.UTC(2026, 1, 1) + i * 60_000).toISOString();
    const config = { epochs: 2, batchSize: 50, latentDim: LATENT_SIZES[i % 3], seed: i, learningRate: 1e-3, backend: 'wasm', kl: 'analytic', model: MODELS[i % 2] } satisfies RunInfo['config'];
    const run = {
      name: runName(i), status: 'completed', config, backend: { name: 'wasm', preference: 'wasm', reason: 'wasm: requested' },
      versions: { node: process.version, tfjs: '4.22.0', cvae: '0.1.0' }, startedAt, endedAt: startedAt,
      sessions: [{ startedAt, backend: 'wasm', workers: 1 }], timings: { epochs: [], totalSeconds: 60 },
    } satisfies RunInfo;
    const rows = [1, 2].map((epoch) => ({
      epoch, step: epoch * 40, trainLoss: 190 - epoch - i / 100, testElbo: -185 + epoch + i / 100, testElboStdErr: 0.9,
      reconMse: 0.08, kl: 3, epochSeconds: 30, imagesPerSecond: 1000, backend: 'wasm',
    }) satisfies MetricRow);
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'run.json'), JSON.stringify(run));
    await fs.writeFile(path.join(dir, 'metrics.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }));
}

/** `node serve.js` on a free port; resolves with its URL from the line it prints. */
function startServer(root: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'serve.js'), '--root', root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const url = /viewer e2e server on (\S+)/.exec(output)?.[1];
      if (url) resolve({ url, child });
    });
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => reject(new Error(`serve.js exited with ${code}:\n${output}`)));
  });
}

const ticked = (page: Page) => page.locator('[data-testid^="select-"]:checked').evaluateAll((boxes) => boxes.map((b) => b.getAttribute('data-testid')?.slice('select-'.length)));
const listed = (page: Page) => page.locator('li[data-run-item]').evaluateAll((items) => items.map((i) => i.getAttribute('data-run-item')));
const chartRuns = (page: Page) => page.locator('.chart-box[data-metric="testElbo"] .u-legend .u-series .u-label').evaluateAll((labels) => labels.slice(1).map((l) => l.textContent));

test.describe('the runs page with 300 runs', () => {
  let root: string;
  let server: { url: string; child: ChildProcess };

  test.beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'cvae-viewer-e2e-300-'));
    await writeRuns(path.join(root, 'runs'));
    server = await startServer(root);
  });
  test.afterAll(async () => {
    server?.child.kill();
    await fs.rm(root, { recursive: true, force: true });
  });

  test('ticks the latest few, lists a page, filters as you type, charts a ticked filtered run and keeps the filter in the URL', async ({ page, problems: _problems }) => {
    await page.goto(`${server.url}/#/runs`);
    await expect(page.locator('main')).toHaveAttribute('aria-busy', 'false');
    const newest = Array.from({ length: DEFAULT_TICKED }, (_, k) => runName(RUN_COUNT - 1 - k));
    expect((await ticked(page)).sort()).toEqual([...newest].sort());
    expect((await chartRuns(page)).sort()).toEqual([...newest].sort());
    expect(await listed(page)).toEqual(Array.from({ length: PAGE_SIZE }, (_, k) => runName(RUN_COUNT - 1 - k)));
    await expect(page.getByTestId('run-count')).toContainText(`1–${PAGE_SIZE} of ${RUN_COUNT} matching (${RUN_COUNT} runs) · ${DEFAULT_TICKED} ticked`);
    await expect(page.getByTestId('metrics-table').locator('tbody tr')).toHaveCount(DEFAULT_TICKED);
    await attachScreenshot(page, test.info(), 'runs-300-default');

    // Older pages list the rest, newest first.
    await page.getByTestId('page-older').click();
    expect((await listed(page))[0]).toBe(runName(RUN_COUNT - 1 - PAGE_SIZE));

    // The filter narrows the list as it is typed (case-insensitive), by name and then by latent size too.
    const filter = page.getByTestId('run-filter');
    await filter.pressSequentially('SWEEP-01');
    await expect.poll(() => listed(page)).toEqual(Array.from({ length: 10 }, (_, k) => runName(19 - k)));
    await filter.pressSequentially(' latent 8');
    const named01WithLatent8 = [19, 16, 13, 10].filter((i) => LATENT_SIZES[i % 3] === 8).map(runName);
    await expect.poll(() => listed(page)).toEqual(named01WithLatent8);
    await expect(filter).toBeFocused();
    await expect(page).toHaveURL(/filter=SWEEP-01\+latent\+8/);

    // Ticking a listed run adds its line; the newest stay ticked although the filter hides them.
    await page.getByTestId(`select-${runName(13)}`).check();
    await expect.poll(() => chartRuns(page).then((r) => r.sort())).toEqual([...newest, runName(13)].sort());
    await expect(page.getByTestId('metrics-table').locator(`tr[data-run="${runName(13)}"]`)).toHaveCount(1);
    await expect(page).toHaveURL(new RegExp(`runs=[^&]*${runName(13)}`));
    await attachScreenshot(page, test.info(), 'runs-300-filtered');

    // A reload (or a shared link) opens the same filter and ticks.
    await page.reload();
    await expect(page.locator('main')).toHaveAttribute('aria-busy', 'false');
    await expect(page.getByTestId('run-filter')).toHaveValue('SWEEP-01 latent 8');
    expect(await listed(page)).toEqual(named01WithLatent8);
    expect((await ticked(page)).sort()).toEqual([runName(13)]);
    expect((await chartRuns(page)).sort()).toEqual([...newest, runName(13)].sort());

    // The model is matched too: conv32 is every odd run.
    await page.getByTestId('run-filter').fill('model:conv32');
    await expect(page.getByTestId('run-count')).toContainText(`of ${RUN_COUNT / 2} matching`);
  });
});
