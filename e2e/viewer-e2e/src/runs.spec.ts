import { readFileSync } from 'fs';
import * as path from 'path';
import { readTestMetricsIfExists } from '@cvae/formats';
import type { Locator, Page } from '@playwright/test';
import { CRASHED_RUN, EPOCHS, RUN_BACKEND_REASON, RUN_NAME, TRAINED, TRAINED_EPOCHS, workspacePaths } from './workspace';
import { attachScreenshot, expect, test } from './test';

const METRICS = ['testElbo', 'reconMse', 'kl', 'trainLoss'];
const { latent8, latent2 } = TRAINED;

/** The legend row of a run in a chart: uPlot's live legend, plain DOM. */
const legendValue = (chart: Locator, run: string) => chart.locator('.u-legend tr', { hasText: run }).locator('.u-value');

/** Only these runs ticked (other specs may have added runs, e.g. the live one). */
async function pickOnly(page: Page, names: string[]): Promise<void> {
  for (const box of await page.locator('[data-testid^="select-"]').all()) {
    const name = (await box.getAttribute('data-testid'))?.slice('select-'.length) ?? '';
    await box.setChecked(names.includes(name));
  }
}

async function hoverChart(page: Page, chart: Locator, fraction: number): Promise<void> {
  const over = chart.locator('.u-over');
  await over.scrollIntoViewIfNeeded();
  const box = await over.boundingBox();
  if (!box) throw new Error('chart not rendered');
  await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
}

test('runs page overlays the picked runs per metric against epoch and wall time, with a legend and hover values', async ({ page, openPage }) => {
  await openPage('runs');
  const charts = page.locator('.chart-box');
  await expect(charts).toHaveCount(4);
  for (const [i, metric] of METRICS.entries()) await expect(charts.nth(i)).toHaveAttribute('data-metric', metric);
  await pickOnly(page, [latent8.name, latent2.name]);
  await expect(page).toHaveURL(new RegExp(`runs=${latent8.name},${latent2.name}|runs=${latent2.name},${latent8.name}`));
  const elbo = page.locator('.chart-box[data-metric="testElbo"]');
  await expect(elbo.locator('.u-legend .u-series')).toHaveCount(3); // x and the two runs
  await expect(elbo.locator('.u-legend')).toContainText(latent8.name);

  // Away from the cursor the legend holds the last epoch; hovering the left edge shows epoch 1, as in metrics.jsonl.
  const metricsOf = (name: string) => readFileSync(path.join(workspacePaths().runsDir, name, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const shown = (value: number) => value.toPrecision(6);
  for (const run of [latent8, latent2]) await expect(legendValue(elbo, run.name)).toHaveText(shown(metricsOf(run.name).at(-1).testElbo));
  await hoverChart(page, elbo, 0.01);
  await expect(elbo.locator('.u-legend tr').first().locator('.u-value')).toHaveText('1');
  for (const run of [latent8, latent2]) await expect(legendValue(elbo, run.name)).toHaveText(shown(metricsOf(run.name)[0].testElbo));
  await hoverChart(page, elbo, 0.99);
  await expect(elbo.locator('.u-legend tr').first().locator('.u-value')).toHaveText(String(TRAINED_EPOCHS));
  await attachScreenshot(page, test.info(), 'runs-hover-epoch');

  await page.getByTestId('x-axis').selectOption('time');
  await expect(page).toHaveURL(/x=time/);
  await hoverChart(page, page.locator('.chart-box[data-metric="trainLoss"]'), 0.99);
  await expect(page.locator('.chart-box[data-metric="trainLoss"] .u-legend tr').first()).toContainText('wall time');
  await expect(page.locator('.chart-box[data-metric="trainLoss"] .u-legend tr').first().locator('.u-value')).toHaveText(/^\d+s$|^\d+m\d\ds$/);
  await attachScreenshot(page, test.info(), 'runs-wall-time');
});

test('the final-metrics table sorts, and pairs runs with a baseline image by image', async ({ page, openPage }) => {
  await openPage('runs');
  const table = page.getByTestId('metrics-table');
  const names = () => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run')));
  const elbos = async () => (await table.locator('tbody td[data-key="testElbo"]').allTextContents()).map((t) => Number(t.split(' ± ')[0].replace(/,/g, '')));
  await table.locator('[data-sort="testElbo"]').click();
  await expect(table.locator('th[aria-sort="descending"]')).toHaveText(/test ELBO/);
  const descending = (await elbos()).filter(Number.isFinite);
  expect(descending).toEqual([...descending].sort((a, b) => b - a));
  await table.locator('[data-sort="testElbo"]').click();
  await expect(table.locator('th[aria-sort="ascending"]')).toHaveText(/test ELBO/);
  const ascending = (await elbos()).filter(Number.isFinite);
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
  await table.locator('[data-sort="name"]').click();
  expect(await names()).toEqual([...(await names())].sort());

  // Only the latest runs are ticked by default; the oldest (the fixture's own) is ticked here to be paired.
  await pickOnly(page, [latent8.name, latent2.name, RUN_NAME]);
  await page.getByTestId('baseline').selectOption(latent2.name);
  const paired = table.locator(`tr[data-run="${latent8.name}"] [data-testid="paired"]`);
  await expect(paired).toHaveCount(3);
  // The same paired mean as the two runs' test-metrics files give in Node.
  const [base, candidate] = await Promise.all([latent2, latent8].map((r) => readTestMetricsIfExists(path.join(workspacePaths().runsDir, r.name))));
  const a = base?.values.elbo ?? new Float32Array();
  const b = candidate?.values.elbo ?? new Float32Array();
  const delta = b.reduce((sum, v, i) => sum + (v - a[i]), 0) / a.length;
  const shown = Number((await paired.first().textContent())?.split(' ± ')[0].replace(/[+,]/g, ''));
  expect(Math.abs(shown - delta)).toBeLessThan(Math.abs(delta) * 1e-3 + 1e-3);
  await expect(paired.first()).toHaveAttribute('data-verdict', /^(unchanged|better|worse|changed within margin|changed)$/);
  await expect(paired.first()).toHaveAttribute('title', /latent 8 vs 2: other eps draws, paired on images only/);
  await expect(table.locator(`tr[data-run="${latent2.name}"] [data-testid="paired"]`)).toHaveText('baseline');
  await expect(table.locator(`tr[data-run="${RUN_NAME}"] [data-testid="paired"]`)).toHaveText('—: no per-image metrics');
  // The picture of the README: the two trained runs, latent 2 as the baseline.
  await pickOnly(page, [latent8.name, latent2.name]);
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await page.evaluate(() => window.scrollTo(0, 0));
  await attachScreenshot(page, test.info(), 'runs-comparison');
});

test('a run whose training process died is shown as stopped, not live', async ({ page, openPage }) => {
  await openPage(`runs?runs=${CRASHED_RUN}`);
  const badge = page.locator(`li[data-run-item="${CRASHED_RUN}"] [data-testid="liveness"]`);
  await expect(badge).toHaveAttribute('data-state', 'stopped');
  await expect(badge).toHaveAttribute('title', /^the training process \(pid \d+\) is gone$/);
  await expect(page.locator(`section[data-run="${CRASHED_RUN}"] [data-testid="liveness-reason"]`)).toContainText('is gone');
  await expect(page.locator(`section[data-run="${CRASHED_RUN}"] [data-testid="progress"]`)).toHaveCount(0);
});

test('each run keeps its config and final metrics', async ({ page, openPage }) => {
  await openPage(`runs?runs=${RUN_NAME}`);
  const run = page.locator(`section[data-run="${RUN_NAME}"]`);
  await expect(run.getByRole('heading', { name: RUN_NAME })).toBeVisible();
  const config = run.locator('table.kv').first();
  const valueOf = (key: string) => config.locator('tr', { has: run.page().locator(`th:text-is("${key}")`) }).locator('td');
  await expect(valueOf('batchSize')).toHaveText('32');
  await expect(valueOf('learningRate')).toHaveText('0.0001');
  await expect(valueOf('kl')).toHaveText('analytic');
  await expect(valueOf('limit')).toHaveText('3,000');
  await expect(valueOf('workers')).toHaveText('2');
  await expect(valueOf('backend')).toHaveText('cpu');
  await expect(valueOf('backend')).toHaveAttribute('title', RUN_BACKEND_REASON);
  await expect(valueOf('status')).toHaveText('completed');
  await expect(valueOf('ended')).toHaveText('2026-01-01T10:03:00.000Z');
  // The fixture's last epoch has test ELBO −185 + 18·2 = −149.
  await expect(run.locator('table.kv').nth(1)).toContainText(`epoch ${EPOCHS}`);
  await expect(run.locator('table.kv').nth(1)).toContainText('-149');
});
