import { promises as fs } from 'fs';
import * as path from 'path';
import { FAILING_GOLDEN, workspacePaths } from './workspace';
import { attachScreenshot, expect, expectImagesDecoded, test } from './test';

const failingCard = `[data-golden="${FAILING_GOLDEN}"]`;

test('review shows every comparison side by side, filters by status and zooms to pixels', async ({ page, openPage }) => {
  await openPage('review');
  await expect(page.locator('[data-golden]')).toHaveCount(4);
  const card = page.locator(failingCard);
  await expect(card).toHaveAttribute('data-status', 'fail');
  await expect(card.locator('figcaption')).toHaveText(['expected', 'actual', 'diff']);
  await expect(card.locator('.numbers')).toContainText('differing pixels');
  await expectImagesDecoded(page, `${failingCard} img`, 3);

  await page.locator('[data-filter="fail"]').click();
  await expect(page.locator('[data-golden]')).toHaveCount(1);
  await expect(page.locator(failingCard)).toBeVisible();
  await page.locator('[data-filter="pass"]').click();
  await expect(page.locator('[data-golden]')).toHaveCount(3);
  await expect(page.locator(failingCard)).toHaveCount(0);

  await page.locator('[data-filter="all"]').click();
  await expect(page.locator('[data-golden]')).toHaveCount(4);
  await page.getByTestId('zoom').selectOption('8');
  const actual = page.locator(`${failingCard} figure[data-image="actual"] img`);
  const size = () => actual.evaluate((img: HTMLImageElement) => ({ natural: img.naturalWidth, shown: img.getBoundingClientRect().width }));
  await expect.poll(async () => ((s) => s.shown / s.natural)(await size())).toBe(8);
  expect(await actual.evaluate((img) => getComputedStyle(img).imageRendering)).toBe('pixelated');
  await attachScreenshot(page, test.info(), 'review-zoom-8x');
});

test('Accept asks for confirmation, then replaces the golden with the actual image', async ({ page, openPage }) => {
  const { goldensDir, reportDir } = workspacePaths();
  const goldenFile = path.join(goldensDir, `${FAILING_GOLDEN}.png`);
  const actualBytes = await fs.readFile(path.join(reportDir, FAILING_GOLDEN, 'actual.png'));
  const before = await fs.readFile(goldenFile);
  expect(before.equals(actualBytes)).toBe(false);

  await openPage('review?filter=fail');
  const acceptButton = page.getByTestId(`accept-${FAILING_GOLDEN}`);

  page.once('dialog', (dialog) => void dialog.dismiss());
  await acceptButton.click();
  await expect(acceptButton).toBeEnabled();
  expect((await fs.readFile(goldenFile)).equals(before), 'dismissing the confirmation changes nothing').toBe(true);

  page.once('dialog', (dialog) => {
    expect(dialog.type()).toBe('confirm');
    void dialog.accept();
  });
  await acceptButton.click();
  await expect(page.locator(`${failingCard} [data-testid="accepted"]`)).toBeVisible();
  await expect(page.getByTestId(`accept-${FAILING_GOLDEN}`)).toHaveCount(0);
  expect((await fs.readFile(goldenFile)).equals(actualBytes), 'golden now holds the actual image').toBe(true);
  const index = JSON.parse(await fs.readFile(path.join(goldensDir, 'goldens.json'), 'utf8'));
  expect(index[FAILING_GOLDEN].via).toBe('accept');
  await expectImagesDecoded(page, `${failingCard} img`, 3);
  await attachScreenshot(page, test.info(), 'review-after-accept');
});
