import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The fixture workspace (runs/, goldens/, report/) lives in a temp dir made once by the runner
 * process; workers inherit the environment variable, so every process agrees on the path.
 * The server reads it lazily, so it does not matter whether webServer or globalSetup runs first.
 */
process.env.CVAE_VIEWER_E2E_ROOT ??= mkdtempSync(path.join(os.tmpdir(), 'cvae-viewer-e2e-'));
const root = process.env.CVAE_VIEWER_E2E_ROOT;
const port = Number(process.env.CVAE_VIEWER_E2E_PORT ?? 4317);

export default defineConfig({
  testDir: './src',
  outputDir: '../../test-results/viewer-e2e',
  globalSetup: './src/global-setup.ts',
  globalTeardown: './src/global-teardown.ts',
  timeout: 30_000,
  fullyParallel: false,
  workers: 1, // 2 shared cores; and the accept test writes to the shared fixture goldens
  retries: 0,
  forbidOnly: true,
  reporter: [['list'], ['html', { open: 'never', outputFolder: '../../playwright-report/viewer-e2e' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    // The built server (`nx run viewer:build`), exactly what `cvae view` starts.
    command: `node e2e/viewer-e2e/serve.js --root "${root}" --port ${port}`,
    cwd: path.join(__dirname, '..', '..'),
    url: `http://127.0.0.1:${port}/api/config`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
