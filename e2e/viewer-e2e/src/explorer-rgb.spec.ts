import * as path from 'path';
import type { Locator } from '@playwright/test';
import { compareImages } from '@cvae/evaluation';
import { probabilityToByte } from '@cvae/images';
import { CVAE, loadCheckpoint, loadImagesFor } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { GOLDEN_THRESHOLDS, RGB_RUN, workspacePaths } from './workspace';
import { attachScreenshot, expect, expectImagesDecoded, test } from './test';

const SIDE = RGB_RUN.side;
/** A point off the origin (z = 0 draws the biases' one colour everywhere). */
const Z = [1.5, -1, 0.5, -0.5];

let model: CVAE;
test.beforeAll(async () => {
  await initBackend('cpu');
  model = (await loadCheckpoint(path.join(workspacePaths().rgbRunDir, 'checkpoints', 'last'))).model;
});
test.afterAll(() => model.dispose());

/** NHWC RGB values in [0, 1] → opaque RGBA bytes, as the evaluation PNGs round them. */
function rgba(values: Float32Array): Uint8Array {
  const out = new Uint8Array((values.length / 3) * 4);
  for (let p = 0; p < values.length / 3; p++) out.set([...values.subarray(p * 3, p * 3 + 3)].map(probabilityToByte).concat(255), p * 4);
  return out;
}

/** A canvas's own size, its size on screen (CSS pixels, without the border) and its pixels. */
async function canvas(locator: Locator): Promise<{ width: number; height: number; shown: number[]; rgba: Uint8Array }> {
  const { width, height, shown, data } = await locator.evaluate((element: HTMLCanvasElement) => {
    const context = element.getContext('2d') as CanvasRenderingContext2D;
    return { width: element.width, height: element.height, shown: [element.clientWidth, element.clientHeight], data: Array.from(context.getImageData(0, 0, element.width, element.height).data) };
  });
  return { width, height, shown, rgba: Uint8Array.from(data) };
}

/** Pixels whose red and green differ: a grey picture has none. */
function colouredPixels(pixels: Uint8Array): number {
  let count = 0;
  for (let p = 0; p < pixels.length; p += 4) if (pixels[p] !== pixels[p + 1]) count++;
  return count;
}

test('an RGB model (discretized logistic) is explored in colour at its own size, as Node decodes it', async ({ page, openPage }) => {
  await openPage(`explorer?run=${RGB_RUN.name}&z=${Z.join(',')}`);
  const decoded = page.getByTestId('decoded');
  await expect(decoded).toHaveAttribute('data-z', Z.join(','));
  await expect(page.getByTestId('explorer-status')).toContainText(`Latent ${RGB_RUN.latentDim}, checkpoint of epoch 1; ${RGB_RUN.testImages} test images encoded`);
  await expect(page.getByTestId('explorer-status')).toContainText(`${SIDE}×${SIDE} RGB images, the means of the discretized logistic`);

  // The model's size, scaled up on screen; in colour; and Node's decodeMean of the same z within a rounding step.
  const browser = await canvas(decoded);
  expect([browser.width, browser.height, ...browser.shown]).toEqual([SIDE, SIDE, 224, 224]);
  expect(colouredPixels(browser.rgba)).toBeGreaterThan(SIDE * SIDE * 0.5);
  const node = rgba(model.decodeMeanValues(Float32Array.from(Z)));
  const comparison = compareImages({ width: SIDE, height: SIDE, rgba: node }, { width: SIDE, height: SIDE, rgba: browser.rgba }, GOLDEN_THRESHOLDS);
  expect(comparison.status, `${comparison.diffPixels} pixels differ, max delta ${comparison.maxDelta}`).toBe('pass');
  expect(comparison.maxDelta).toBeLessThanOrEqual(1);
  const origin = rgba(model.decodeMeanValues(new Float32Array(RGB_RUN.latentDim)));
  expect(compareImages({ width: SIDE, height: SIDE, rgba: origin }, { width: SIDE, height: SIDE, rgba: node }, GOLDEN_THRESHOLDS).status).toBe('fail'); // not vacuous

  // The pickable test images are the dataset's own colours, byte for byte.
  const testSet = loadImagesFor(model.architecture, 'test', { dataDir: workspacePaths().rgbDataDir });
  const thumbnail = await canvas(page.getByTestId('test-image-3').locator('canvas'));
  expect([thumbnail.width, thumbnail.height, ...thumbnail.shown]).toEqual([SIDE, SIDE, 42, 42]);
  expect(Buffer.from(thumbnail.rgba).equals(Buffer.from(rgba(testSet.images.subarray(3 * SIDE * SIDE * 3, 4 * SIDE * SIDE * 3))))).toBe(true);

  // Interpolation strips: 8 images of the model's size side by side, in colour.
  const strip = await canvas(page.getByTestId('strip-linear'));
  expect([strip.width, strip.height]).toEqual([8 * SIDE, SIDE]);
  expect(colouredPixels(strip.rgba)).toBeGreaterThan(0);
  await attachScreenshot(page, test.info(), 'explorer-rgb');
});

test('the samples page shows an RGB run\'s grid in colour, at least at the grid\'s own size', async ({ page, openPage }) => {
  await openPage(`samples?run=${RGB_RUN.name}`);
  await expectImagesDecoded(page, '[data-testid="sample-grid"]', 1);
  const grid = page.getByTestId('sample-grid');
  const { natural, shown, pixels } = await grid.evaluate((img: HTMLImageElement) => {
    const canvas = Object.assign(document.createElement('canvas'), { width: img.naturalWidth, height: img.naturalHeight });
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    context.drawImage(img, 0, 0);
    const data = Array.from(context.getImageData(0, 0, canvas.width, canvas.height).data);
    return { natural: [img.naturalWidth, img.naturalHeight], shown: [img.clientWidth, img.clientHeight], pixels: data };
  });
  expect(natural).toEqual([4 * SIDE + 3, 4 * SIDE + 3]); // 4×4 tiles of the model's size, 1-pixel gutters
  expect(shown[0]).toBeGreaterThanOrEqual(336); // a small grid is scaled up, keeping its aspect
  expect(shown[0] / shown[1]).toBeCloseTo(1, 2);
  expect(colouredPixels(Uint8Array.from(pixels))).toBeGreaterThan(SIDE * SIDE);
});
