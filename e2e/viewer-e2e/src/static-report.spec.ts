/**
 * The static report a CI job keeps (reports/<suite>/index.html): opened straight from disk over
 * file://, with no server, it shows the same report as the viewer — images load, modes work, no errors.
 */
import { pathToFileURL } from 'url';
import * as path from 'path';
import { FAILING_GOLDEN, workspacePaths } from './workspace';
import { attachScreenshot, expect, expectImagesDecoded, test } from './test';

test('index.html opens from disk: verdict, gates, images and modes without a server', async ({ page, problems: _problems }) => {
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(path.join(workspacePaths().reportDir, 'index.html')).href);
  await expect(page.getByTestId('report-verdict')).toHaveText('FAIL');
  await expect(page.locator('tr[data-gate]')).toHaveCount(4);
  // The sample-quality gate (bounds init proposed from this checkpoint): its two sets, within bounds.
  await expect(page.getByTestId('quality').locator('tr[data-quality]')).toHaveCount(2);
  await expect(page.getByTestId('quality').locator('h2 .badge')).toHaveText('pass');
  await expect(page.locator('article.comparison')).toHaveCount(4);
  const card = `article.comparison[data-name="${FAILING_GOLDEN}"]`;
  await expectImagesDecoded(page, `${card} img`, 3);
  await expectImagesDecoded(page, 'article.comparison img', 3 + 3); // each passing one its expected image; the failing one expected, actual, diff
  // Accept needs the viewer: a report on disk has no button to press.
  await expect(page.locator('button.accept')).toHaveCount(0);
  await page.getByTestId('mode').selectOption('slider');
  await expectImagesDecoded(page, `${card} .slider img`, 2);
  await attachScreenshot(page, test.info(), 'static-report');
  // Everything it loaded came from the report directory: nothing from a server, nothing from outside.
  const reportDirUrl = pathToFileURL(workspacePaths().reportDir).href;
  expect(requests.filter((url) => !url.startsWith(reportDirUrl) && !url.startsWith('data:'))).toEqual([]);
});
