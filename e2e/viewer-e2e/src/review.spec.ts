import { promises as fs } from 'fs';
import * as path from 'path';
import { FAILING_GOLDEN, SUITE_NAME, workspacePaths } from './workspace';
import { attachScreenshot, expect, expectImagesDecoded, test } from './test';

const failingCard = `article.comparison[data-name="${FAILING_GOLDEN}"]`;

test('review shows the suite\'s gates and every comparison side by side, filters by status and zooms to pixels', async ({ page, openPage }) => {
  await openPage(`review?suite=${SUITE_NAME}`);
  await expect(page.getByTestId('suite-picker')).toHaveValue(SUITE_NAME);
  await expect(page.getByTestId('report-verdict')).toHaveText('FAIL');
  // The gates of an unchanged checkpoint: all four measured against the baseline, all unchanged.
  await expect(page.locator('tr[data-gate]')).toHaveCount(4);
  await expect(page.locator('tr[data-gate] .badge')).toHaveText(['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  await expect(page.locator('article.comparison')).toHaveCount(4);
  const card = page.locator(failingCard);
  await expect(card).toHaveClass(/\bfail\b/);
  await expect(card.locator('figcaption')).toHaveText(['expected', 'actual', 'diff']);
  await expect(card.locator('.numbers')).toContainText('pixels differ');
  await expectImagesDecoded(page, `${failingCard} img`, 3);

  await page.getByTestId('filter').selectOption('fail');
  await expect(page.locator('article.comparison')).toHaveCount(1);
  await expect(page.locator(failingCard)).toBeVisible();
  await page.getByTestId('filter').selectOption('pass');
  await expect(page.locator('article.comparison')).toHaveCount(3);
  await expect(page.locator(failingCard)).toHaveCount(0);

  await page.getByTestId('filter').selectOption('all');
  await page.getByTestId('zoom').selectOption('8');
  const actual = page.locator(`${failingCard} img[data-image="actual"]`);
  const size = () => actual.evaluate((img: HTMLImageElement) => ({ natural: img.naturalWidth, shown: img.getBoundingClientRect().width }));
  await expect.poll(async () => ((s) => s.shown / s.natural)(await size())).toBe(8);
  expect(await actual.evaluate((img) => getComputedStyle(img).imageRendering)).toBe('pixelated');
  await attachScreenshot(page, test.info(), 'review-zoom-8x');
});

test('slider and blink modes show expected and actual in one place', async ({ page, openPage }) => {
  await openPage(`review?suite=${SUITE_NAME}`);
  await page.getByTestId('mode').selectOption('slider');
  const card = page.locator(failingCard);
  await expectImagesDecoded(page, `${failingCard} .slider img`, 2);
  const cover = card.locator('.slider-top');
  await expect(cover).toHaveAttribute('style', /inset\(0 50% 0 0\)/);
  await card.getByTestId('slider').fill('20');
  await expect(cover).toHaveAttribute('style', /inset\(0 80% 0 0\)/);
  await attachScreenshot(page, test.info(), 'review-slider');

  await page.getByTestId('mode').selectOption('blink');
  const label = card.getByTestId('blink-label');
  await expect(label).toHaveText('expected');
  await expect(label).toHaveText('actual'); // flips by itself
  await expect(card.locator('img[data-image="blink"]')).toHaveAttribute('src', /actual\.png$/);
});

test('Accept asks for confirmation, then replaces the golden with the actual image', async ({ page, openPage }) => {
  const { suiteDir, reportDir } = workspacePaths();
  const goldenFile = path.join(suiteDir, `${FAILING_GOLDEN}.png`);
  const actualBytes = await fs.readFile(path.join(reportDir, FAILING_GOLDEN, 'actual.png'));
  const before = await fs.readFile(goldenFile);
  expect(before.equals(actualBytes)).toBe(false);

  await openPage(`review?suite=${SUITE_NAME}`);
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
  await expect(page.locator(`${failingCard} .badge.accepted`)).toBeVisible();
  await expect(page.getByTestId(`accept-${FAILING_GOLDEN}`)).toHaveCount(0);
  expect((await fs.readFile(goldenFile)).equals(actualBytes), 'golden now holds the actual image').toBe(true);
  const index = JSON.parse(await fs.readFile(path.join(suiteDir, 'goldens.json'), 'utf8'));
  expect(index[FAILING_GOLDEN].via).toBe('accept');
  await expectImagesDecoded(page, `${failingCard} img`, 3);
  await attachScreenshot(page, test.info(), 'review-after-accept');
});
