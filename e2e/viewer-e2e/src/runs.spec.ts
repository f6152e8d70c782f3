import { EPOCHS, RUN_BACKEND_REASON, RUN_NAME } from './workspace';
import { expect, test } from './test';

test('runs page shows the run config, final metrics and a chart per metric', async ({ page, openPage }) => {
  await openPage('runs');
  const run = page.locator(`section[data-run="${RUN_NAME}"]`);
  await expect(run.getByRole('heading', { name: RUN_NAME })).toBeVisible();
  await expect(run.locator('table.kv').first()).toContainText('batchSize');
  await expect(run.locator('table.kv').first()).toContainText('32');
  // run.json as training writes it (global-setup's writeRun).
  const config = run.locator('table.kv').first();
  const valueOf = (key: string) => config.locator('tr', { has: run.page().locator(`th:text-is("${key}")`) }).locator('td');
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
  const charts = run.locator('svg.chart');
  await expect(charts).toHaveCount(3);
  for (const [i, title] of ['Test ELBO', 'Reconstruction MSE', 'KL divergence'].entries()) {
    await expect(charts.nth(i)).toHaveAttribute('aria-label', title);
    await expect(charts.nth(i).locator('circle.chart-dot')).toHaveCount(EPOCHS);
  }
});
