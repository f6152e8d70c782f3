import { readFileSync, renameSync, writeFileSync } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import type { Page } from '@playwright/test';
import { CVAE, loadCheckpoint } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { compareImages } from '@cvae/evaluation';
import { probabilityToByte } from '@cvae/images';
import { GOLDEN_THRESHOLDS, RUN_NAME, TRAINED, workspacePaths } from './workspace';
import { expect, test } from './test';

const SIZE = 28;

/** The decoded canvas as opaque RGBA, once the page has rendered exactly `z`. */
async function canvasPixels(page: Page): Promise<Uint8Array> {
  const data = await page.getByTestId('decoded').evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    return Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data);
  });
  return Uint8Array.from(data);
}

/** Node's decode of z with the same checkpoint, as the evaluation renders a tile: round(p·255). */
function nodeDecode(model: CVAE, z: [number, number]): Uint8Array {
  const probabilities = tf.tidy(() => model.sample(tf.tensor2d([z])).dataSync());
  const rgba = new Uint8Array(SIZE * SIZE * 4);
  probabilities.forEach((p, i) => rgba.set([probabilityToByte(p), probabilityToByte(p), probabilityToByte(p), 255], i * 4));
  return rgba;
}

test('clicking the latent plane decodes a new digit and shows its z', async ({ page, openPage }) => {
  await openPage(`explorer?run=${RUN_NAME}&z=0,0`);
  const decoded = page.getByTestId('decoded');
  await expect(decoded).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('z-readout')).toHaveText('z = (0.000, 0.000)');
  const before = await canvasPixels(page);

  const plane = page.getByTestId('latent-plane');
  const box = await plane.boundingBox();
  if (!box) throw new Error('latent plane is not rendered');
  await plane.click({ position: { x: box.width * 0.9, y: box.height * 0.1 } }); // top right: z ≈ (2.4, 2.4)
  await expect(decoded).toHaveAttribute('data-renders', '2');
  await expect(page.getByTestId('z-readout')).toHaveText(/z = \(2\.\d+, 2\.\d+\)/);
  expect(Buffer.from(await canvasPixels(page)).equals(Buffer.from(before))).toBe(false);
});

test('the browser decode of z matches the Node decode of the same checkpoint within the golden tolerance', async ({ page, openPage }) => {
  await initBackend('cpu');
  const { model } = await loadCheckpoint(workspacePaths().checkpointDir, { expectLatentDim: 2 });
  try {
    const points: [number, number][] = [[0, 0], [1.5, -2], [-2.75, 0.5]];
    const nodeImages = points.map((z) => nodeDecode(model, z));
    // The decodes span the grey range and differ from each other: agreeing with Node is not vacuous.
    // (z = 0 is uniform grey: with zero biases every ReLU layer maps 0 to 0.)
    const greys = nodeImages[1].filter((_, i) => i % 4 === 0);
    expect(Math.max(...greys) - Math.min(...greys)).toBeGreaterThan(100);
    expect(compareImages({ width: SIZE, height: SIZE, rgba: nodeImages[0] }, { width: SIZE, height: SIZE, rgba: nodeImages[1] }, GOLDEN_THRESHOLDS).status).toBe('fail');
    for (const [i, z] of points.entries()) {
      await openPage(`explorer?run=${RUN_NAME}&z=${z.join(',')}`);
      await expect(page.getByTestId('decoded')).toHaveAttribute('data-z', z.join(','));
      const comparison = compareImages({ width: SIZE, height: SIZE, rgba: nodeImages[i] }, { width: SIZE, height: SIZE, rgba: await canvasPixels(page) }, GOLDEN_THRESHOLDS);
      expect(comparison.status, `z=${z}: ${comparison.diffPixels} pixels differ, max delta ${comparison.maxDelta}`).toBe('pass');
      expect(comparison.maxDelta).toBeLessThanOrEqual(1); // both are float32 cpu: at most a rounding step apart
    }
  } finally {
    model.dispose();
  }
});

/** Replaces a file as a trainer does: a temp file renamed over it. */
function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

test('a checkpoint the run writes later is offered, and loaded on request', async ({ page, openPage }) => {
  const run = TRAINED.latent2.name;
  const manifestFile = path.join(workspacePaths().runsDir, run, 'checkpoints', 'last', 'manifest.json');
  const original = readFileSync(manifestFile, 'utf8');
  const manifest = JSON.parse(original) as { epoch: number; createdAt: string };
  const next = manifest.epoch + 1;
  try {
    await openPage(`explorer?run=${run}`);
    const status = page.getByTestId('explorer-status');
    const notice = page.getByTestId('newer-checkpoint');
    await expect(status).toContainText(`checkpoint of epoch ${manifest.epoch};`);
    await expect(notice).toBeHidden();
    // As a live run does at the end of an epoch: a new checkpoints/last (here the same weights, a later epoch).
    writeAtomically(manifestFile, JSON.stringify({ ...manifest, epoch: next, createdAt: new Date().toISOString() }));
    await expect(notice).toBeVisible({ timeout: 15_000 });
    await expect(notice).toContainText(`checkpoint of epoch ${next}.`);
    await expect(status).toContainText(`checkpoint of epoch ${manifest.epoch};`); // nothing changes under the user's hands
    await notice.getByRole('button', { name: 'Load it' }).click();
    await expect(status).toContainText(`checkpoint of epoch ${next};`);
    await expect(page.getByTestId('newer-checkpoint')).toBeHidden();
  } finally {
    writeAtomically(manifestFile, original);
  }
});
