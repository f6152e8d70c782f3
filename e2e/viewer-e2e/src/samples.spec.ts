import { EPOCHS, RUN_NAME, TRAINED, TRAINED_EPOCHS } from './workspace';
import { attachScreenshot, expect, expectImagesDecoded, test } from './test';

test('samples page decodes every image and steps through epochs with the slider and play', async ({ page, openPage }) => {
  await openPage(`samples?run=${RUN_NAME}`);
  const grid = page.getByTestId('sample-grid');
  await expect(grid).toHaveAttribute('src', /epoch-0003\.png$/);
  await expectImagesDecoded(page, 'main img', 1 + 1 + 4); // the grid, the run's latent scatter and the four evaluation images
  await expectImagesDecoded(page, '[data-testid="latent-scatter"]', 1);
  await expect(page.getByRole('heading', { name: 'Latent scatter (test-set means by digit)' })).toBeVisible();
  // Captions from the fixture's golden recipes (global-setup's writeGoldenConfig).
  await expect(page.locator('.eval-image figcaption')).toHaveText([
    'prior samples (4×4, seed 7)',
    'reconstructions of 4 test images: input above, reconstruction below',
    'latent manifold (5×5, quantiles 0.05–0.95)',
    'latent scatter (test-set means by digit)',
  ]);

  await page.getByTestId('epoch-slider').fill('0');
  await expect(grid).toHaveAttribute('src', /epoch-0001\.png$/);
  await expect(page.getByTestId('epoch-label')).toHaveText(`epoch 1 of ${EPOCHS}`);

  await page.getByTestId('play').click();
  await expect(page.getByTestId('epoch-label')).toHaveText(`epoch ${EPOCHS} of ${EPOCHS}`);
  await expect(page.getByTestId('play')).toHaveText('Play'); // stops by itself at the last epoch
  await expectImagesDecoded(page, '[data-testid="sample-grid"]', 1);
});

test('two runs side by side at the same epoch, with their progress GIFs and latent scatters (principal plane for latent 8)', async ({ page, openPage }) => {
  const { latent8, latent2 } = TRAINED;
  await openPage(`samples?run=${latent8.name}&compare=${latent2.name}`);
  const panes = page.locator('.sample-pane:has([data-testid="sample-grid"])');
  await expect(panes).toHaveCount(2);
  await expect(panes.locator('figcaption')).toHaveText([latent8.name, latent2.name]);
  await expect(page.getByTestId('epoch-label')).toHaveText(`epoch ${TRAINED_EPOCHS} of ${TRAINED_EPOCHS}`);
  await page.getByTestId('epoch-slider').fill('0');
  for (const run of [latent8, latent2]) await expect(page.locator(`.sample-pane[data-run="${run.name}"] [data-testid="sample-grid"]`)).toHaveAttribute('src', `/runs/${run.name}/samples/epoch-0001.png`);
  await expectImagesDecoded(page, '[data-testid="sample-grid"]', 2);
  // The GIFs animate every epoch's grid: real GIF files, decoded by the browser.
  await expect(page.getByTestId('progress-gif')).toHaveCount(2);
  await expectImagesDecoded(page, '[data-testid="progress-gif"]', 2);
  const gifType = await page.evaluate(async (url) => (await fetch(url)).headers.get('content-type'), `/runs/${latent8.name}/samples/progress.gif`);
  expect(gifType).toBe('image/gif');
  await expectImagesDecoded(page, '[data-testid="latent-scatter"]', 2);
  await expect(page.locator(`.sample-pane[data-run="${latent8.name}"] figcaption`).last()).toContainText('latent 8: the plane of the means\' first two principal components');
  await attachScreenshot(page, test.info(), 'samples-side-by-side');

  await page.getByTestId('compare-run').selectOption('');
  await expect(page.locator('.sample-pane:has([data-testid="sample-grid"])')).toHaveCount(1);
});
