import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import type { Page } from '@playwright/test';
import { loadSplit } from '@cvae/dataset';
import { compareImages } from '@cvae/evaluation';
import { probabilityToByte } from '@cvae/images';
import { CVAE, latentMeans, loadCheckpoint, pointOnPlane, principalPlane } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import type { LatentResponse } from '@cvae/viewer';
import { GOLDEN_THRESHOLDS, TRAINED, TRAINED_TEST_IMAGES, workspacePaths } from './workspace';
import { attachScreenshot, expect, test } from './test';

const SIZE = 28;
const RUN = TRAINED.latent8.name;
const STEPS = 8;

let model: CVAE;
test.beforeAll(async () => {
  await initBackend('cpu');
  model = (await loadCheckpoint(path.join(workspacePaths().runsDir, RUN, 'checkpoints', 'last'), { expectLatentDim: 8 })).model;
});
test.afterAll(() => model.dispose());

/** Node's decode of each z, as the evaluation renders a tile: round(p·255), opaque grey. */
function nodeDecode(zs: number[][]): Uint8Array[] {
  const probabilities = tf.tidy(() => model.sample(tf.tensor2d(zs)).dataSync());
  return zs.map((_, i) => {
    const rgba = new Uint8Array(SIZE * SIZE * 4);
    for (let p = 0; p < SIZE * SIZE; p++) rgba.fill(probabilityToByte(probabilities[i * SIZE * SIZE + p]), p * 4, p * 4 + 3).fill(255, p * 4 + 3, p * 4 + 4);
    return rgba;
  });
}

async function canvasPixels(page: Page, testId: string): Promise<{ width: number; rgba: Uint8Array }> {
  const { width, data } = await page.getByTestId(testId).evaluate((canvas: HTMLCanvasElement) => ({ width: canvas.width, data: Array.from((canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(0, 0, canvas.width, canvas.height).data) }));
  return { width, rgba: Uint8Array.from(data) };
}

function expectSameDigit(browser: Uint8Array, node: Uint8Array, what: string): void {
  const comparison = compareImages({ width: SIZE, height: SIZE, rgba: node }, { width: SIZE, height: SIZE, rgba: browser }, GOLDEN_THRESHOLDS);
  expect(comparison.status, `${what}: ${comparison.diffPixels} pixels differ, max delta ${comparison.maxDelta}`).toBe('pass');
  expect(comparison.maxDelta, what).toBeLessThanOrEqual(1);
}

/** The clicked point in plane coordinates, as the page computed it from the pointer. */
const planeOf = async (page: Page) => (await page.getByTestId('decoded').getAttribute('data-plane'))?.split(',').map(Number) ?? [];
const zOf = async (page: Page) => (await page.getByTestId('decoded').getAttribute('data-z'))?.split(',').map(Number) ?? [];

async function clickPlane(page: Page, fx: number, fy: number): Promise<void> {
  const renders = Number(await page.getByTestId('decoded').getAttribute('data-renders'));
  const plane = page.getByTestId('latent-plane');
  const box = await plane.boundingBox();
  if (!box) throw new Error('latent plane is not rendered');
  await plane.click({ position: { x: box.width * fx, y: box.height * fy } });
  await expect.poll(async () => Number(await page.getByTestId('decoded').getAttribute('data-renders'))).toBeGreaterThan(renders);
}

async function serverMeans(page: Page): Promise<number[][]> {
  const latent = (await (await page.request.get(`/api/latent?run=${RUN}`)).json()) as LatentResponse;
  const bytes = Buffer.from(latent.means, 'base64');
  const flat = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
  return Array.from({ length: latent.count }, (_, i) => flat.slice(i * 8, (i + 1) * 8));
}

test('a latent-8 run opens in the plane of its test means\' first two principal components; a click decodes that point', async ({ page, openPage }) => {
  await openPage(`explorer?run=${RUN}`);
  await expect(page.getByTestId('decoded')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('explorer-status')).toContainText(`Latent 8, checkpoint of epoch 2; ${TRAINED_TEST_IMAGES} test images encoded`);
  await expect(page.locator('[data-testid^="slider-z"]')).toHaveCount(8);
  await expect(page.getByTestId('plane-principal')).toBeChecked();

  // The server's plane is Node's: the principal plane of the same checkpoint's means of the same test images.
  const latent = (await (await page.request.get(`/api/latent?run=${RUN}`)).json()) as LatentResponse;
  const nodePlane = principalPlane(latentMeans(model, loadSplit('test', { limit: TRAINED_TEST_IMAGES })), 8);
  for (const [k, value] of nodePlane.u.entries()) expect(latent.principal?.u[k]).toBeCloseTo(value, 3);
  for (const [k, value] of nodePlane.v.entries()) expect(latent.principal?.v[k]).toBeCloseTo(value, 3);

  await clickPlane(page, 0.75, 0.25); // plane coordinates ≈ (1.5, 1.5)
  const [a, b] = await planeOf(page);
  expect(Math.abs(a - 1.5) + Math.abs(b - 1.5)).toBeLessThan(0.05);
  const z = await zOf(page);
  const expected = pointOnPlane(nodePlane, a, b);
  z.forEach((value, k) => expect(value).toBeCloseTo(expected[k], 2));
  expectSameDigit((await canvasPixels(page, 'decoded')).rgba, nodeDecode([z])[0], `z = ${z}`);
  await attachScreenshot(page, test.info(), 'explorer-latent8');
});

test('a plane of two chosen dimensions, the rest held at a test image\'s mean; a slider per dimension', async ({ page, openPage }) => {
  await openPage(`explorer?run=${RUN}`);
  await expect(page.getByTestId('decoded')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('plane-dims').check();
  await page.getByTestId('plane-dim-0').selectOption('2'); // z3 across
  await page.getByTestId('plane-dim-1').selectOption('4'); // z5 up
  await page.getByTestId('test-image-4').click(); // "a click picks: the held image" is the default
  await expect(page.getByTestId('hold-image')).toBeChecked();
  await clickPlane(page, 0.25, 0.75); // z3 ≈ −1.5, z5 ≈ −1.5
  const [a, b] = await planeOf(page);
  expect(Math.abs(a + 1.5) + Math.abs(b + 1.5)).toBeLessThan(0.05);
  const mean = (await serverMeans(page))[4];
  const z = await zOf(page);
  z.forEach((value, k) => expect(value).toBeCloseTo(k === 2 ? a : k === 4 ? b : mean[k], 5));
  expectSameDigit((await canvasPixels(page, 'decoded')).rgba, nodeDecode([z])[0], `z = ${z}`);

  await page.getByTestId('slider-z6').fill('1.5');
  await expect.poll(async () => (await zOf(page))[5]).toBe(1.5);
  const moved = await zOf(page);
  expectSameDigit((await canvasPixels(page, 'decoded')).rgba, nodeDecode([moved])[0], `z = ${moved}`);
  await page.getByTestId('hold-zero').check();
  await expect.poll(async () => (await zOf(page)).filter((_, k) => k !== 2 && k !== 4).every((v) => Math.abs(v) < 1e-9)).toBe(true);
  await attachScreenshot(page, test.info(), 'explorer-latent8-dims');
});

test('linear and spherical interpolation strips between two picked test images', async ({ page, openPage }) => {
  await openPage(`explorer?run=${RUN}`);
  await expect(page.getByTestId('decoded')).toHaveAttribute('data-state', 'ready');
  await page.getByTestId('pick-for-a').check();
  await page.getByTestId('test-image-2').click();
  await page.getByTestId('pick-for-b').check();
  await page.getByTestId('test-image-7').click();
  await expect(page.getByTestId('strip-linear')).toHaveAttribute('data-ends', '2,7');
  const means = await serverMeans(page);
  const [a, b] = [means[2], means[7]];
  const ts = Array.from({ length: STEPS }, (_, i) => i / (STEPS - 1));
  const lerp = (t: number) => a.map((x, k) => (1 - t) * x + t * b[k]);
  const omega = Math.acos(a.reduce((s, x, k) => s + x * b[k], 0) / (Math.hypot(...a) * Math.hypot(...b)));
  const slerp = (t: number) => a.map((x, k) => (Math.sin((1 - t) * omega) * x + Math.sin(t * omega) * b[k]) / Math.sin(omega));
  for (const [kind, path] of [['linear', ts.map(lerp)], ['spherical', ts.map(slerp)]] as const) {
    const strip = await canvasPixels(page, `strip-${kind}`);
    expect(strip.width).toBe(SIZE * STEPS);
    const tiles = nodeDecode(path);
    tiles.forEach((tile, i) => {
      const browser = new Uint8Array(SIZE * SIZE * 4);
      for (let row = 0; row < SIZE; row++) browser.set(strip.rgba.subarray((row * strip.width + i * SIZE) * 4, (row * strip.width + (i + 1) * SIZE) * 4), row * SIZE * 4);
      expectSameDigit(browser, tile, `${kind} step ${i}`);
    });
  }
  // The two paths differ in between (slerp keeps the norm up), and agree at the ends.
  expect(Math.hypot(...slerp(0.5))).toBeGreaterThan(Math.hypot(...lerp(0.5)));
  await page.getByTestId('strip-linear').scrollIntoViewIfNeeded();
  await attachScreenshot(page, test.info(), 'explorer-interpolation');
});
