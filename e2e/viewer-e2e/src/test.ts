import { test as base, expect, type Page, type TestInfo } from '@playwright/test';

/**
 * `page` that fails the test on any console error, uncaught exception or failed request, and
 * `openPage` that navigates to a hash route, waits until the page finished rendering, and keeps a
 * full-page screenshot as a test artifact.
 */
export const test = base.extend<{ problems: string[]; openPage: (route: string) => Promise<void> }>({
  problems: async ({ page }, use) => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => {
      // Leaving a page closes its live-update stream (/api/events): an abort by the page itself, not a failure.
      if (new URL(request.url()).pathname === '/api/events' && request.failure()?.errorText === 'net::ERR_ABORTED') return;
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
    });
    await use(problems);
    expect(problems, 'console errors, page errors and failed requests').toEqual([]);
  },
  openPage: async ({ page, problems: _problems }, use, testInfo) => {
    await use(async (route) => {
      await page.goto(`/#/${route}`);
      await expect(page.locator('main')).toHaveAttribute('aria-busy', 'false');
      await attachScreenshot(page, testInfo, route);
    });
  },
});

export async function attachScreenshot(page: Page, testInfo: TestInfo, label: string): Promise<void> {
  // Saved in the test's output dir (test-results/viewer-e2e/<test>/) and attached to the HTML report.
  const file = testInfo.outputPath(`${label.replace(/[^a-z0-9]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(label, { path: file, contentType: 'image/png' });
}

/** Waits for at least `atLeast` images matching `selector` and checks each decodes to a real bitmap. */
export async function expectImagesDecoded(page: Page, selector: string, atLeast: number): Promise<void> {
  const images = page.locator(selector);
  await expect.poll(() => images.count()).toBeGreaterThanOrEqual(atLeast);
  const widths = await images.evaluateAll((elements) =>
    Promise.all(
      (elements as HTMLImageElement[]).map(async (img) => {
        await img.decode().catch(() => undefined); // a broken image rejects; its naturalWidth stays 0
        return img.naturalWidth;
      }),
    ),
  );
  expect(widths.length).toBeGreaterThanOrEqual(atLeast);
  for (const width of widths) expect(width).toBeGreaterThan(0);
}

export { expect };
