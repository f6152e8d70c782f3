import { EPOCHS, RUN_NAME } from './workspace';
import { expect, expectImagesDecoded, test } from './test';

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
