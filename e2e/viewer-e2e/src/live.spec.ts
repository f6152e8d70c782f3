import { finished, startCvae, trainArgs } from './cli';
import { LIVE_RUN, TRAINED_TEST_IMAGES } from './workspace';
import { attachScreenshot, expect, test } from './test';

const EPOCHS = 2;

/**
 * A real `cvae train` while the runs and samples pages are open: the run appears, its progress moves,
 * its epochs arrive, and it ends as finished — all without a reload (a marker set on each page survives).
 */
test('the runs and samples pages follow a run while cvae train writes it', async ({ page, context, openPage }) => {
  test.setTimeout(300_000);
  await openPage('runs');
  const samples = await context.newPage();
  await samples.goto('/#/samples');
  for (const p of [page, samples]) await p.evaluate(() => ((window as unknown as { marker: number }).marker = 1));

  const training = startCvae(trainArgs(LIVE_RUN, { epochs: EPOCHS, limit: 6000, 'test-limit': TRAINED_TEST_IMAGES, 'batch-size': 32 }));
  const done = finished(training);
  try {
    const item = page.locator(`li[data-run-item="${LIVE_RUN}"]`);
    await expect(item).toBeVisible({ timeout: 60_000 });
    await expect(item.getByTestId('liveness')).toHaveAttribute('data-state', 'live', { timeout: 30_000 });
    const progress = item.getByTestId('progress');
    await expect(progress).toHaveAttribute('data-phase', 'training', { timeout: 30_000 });
    const firstBatch = Number(await progress.getAttribute('data-batch'));
    await expect.poll(async () => Number(await item.getByTestId('progress').getAttribute('data-batch')), { timeout: 30_000 }).toBeGreaterThan(firstBatch);
    await expect(progress).toContainText(/epoch 1\/2: batch [\d,]+\/188 · [\d,]+ img\/s · ETA/);
    await attachScreenshot(page, test.info(), 'live-runs-progress');

    // The samples page of the live run: its progress, then each epoch's grid as it is written.
    await samples.locator('select[aria-label="run"]').selectOption(LIVE_RUN);
    await expect(samples.locator('main')).toHaveAttribute('aria-busy', 'false');
    await samples.evaluate(() => ((window as unknown as { marker: number }).marker = 1)); // a hash change, not a reload
    await expect(samples.getByTestId('epoch-label')).toHaveText('epoch 1 of 1', { timeout: 120_000 });
    await expect(samples.getByTestId('sample-grid')).toHaveAttribute('src', /epoch-0001\.png$/);
    await expect(samples.getByTestId('progress')).toContainText(/epoch 2\/2/, { timeout: 60_000 });
    await attachScreenshot(samples, test.info(), 'live-samples-epoch-1');
    await expect(samples.getByTestId('epoch-label')).toHaveText(`epoch ${EPOCHS} of ${EPOCHS}`, { timeout: 120_000 });
    await done;

    // Finished: no badge, no progress, both epochs in the table and the charts; the GIF is written at the end.
    await expect(item.getByTestId('liveness')).toHaveCount(0, { timeout: 15_000 });
    await expect(item.getByTestId('progress')).toHaveCount(0);
    await expect(page.locator(`[data-testid="metrics-table"] tr[data-run="${LIVE_RUN}"] td`).nth(1)).toHaveText(String(EPOCHS));
    await expect(samples.getByTestId('progress-gif')).toHaveAttribute('src', new RegExp(`/runs/${LIVE_RUN}/samples/progress\\.gif$`), { timeout: 15_000 });
    for (const p of [page, samples]) expect(await p.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    await attachScreenshot(page, test.info(), 'live-runs-finished');
  } finally {
    training.kill('SIGKILL');
    await done.catch(() => undefined);
    await samples.close();
  }
});
