import { existsSync, readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import { Image8, decodePng, encodePng, toRgba, writePng } from '@cvae/images';
import { compareImages } from './compare';
import { compareAndReport } from './golden-check';
import { GoldenProvenance } from './golden-store';
import { tempDir } from './test-utils/reference';

const gray = (width: number, height: number, fill = 0): Image8 => ({ width, height, channels: 1, data: new Uint8Array(width * height).fill(fill) });
const decoded = (image: Image8) => ({ width: image.width, height: image.height, rgba: toRgba(image) });
const strict = { threshold: 0.1, maxDiffPixels: 0 };

describe('compareImages (pixelmatch)', () => {
  test('identical images pass with zero differences', () => {
    const result = compareImages(decoded(gray(10, 10, 40)), decoded(gray(10, 10, 40)), strict);
    expect(result).toMatchObject({ status: 'pass', diffPixels: 0, diffRatio: 0, maxDelta: 0 });
  });

  test('one pixel changed beyond the threshold fails with the numbers', () => {
    const changed = gray(10, 10);
    changed.data[55] = 200;
    const result = compareImages(decoded(gray(10, 10)), decoded(changed), strict);
    expect(result).toMatchObject({ status: 'fail', diffPixels: 1, diffRatio: 0.01, maxDelta: 200 });
    // pixelmatch paints the differing pixel red in its diff output.
    expect(Array.from(result.diff?.subarray(55 * 4, 55 * 4 + 3) ?? [])).toEqual([255, 0, 0]);
  });

  test('a change below the threshold, or within the allowed count, passes', () => {
    const changed = gray(10, 10);
    changed.data[3] = 20; // ≈ 264·0.1 = 26 gray levels is the limit at threshold 0.1
    expect(compareImages(decoded(gray(10, 10)), decoded(changed), strict)).toMatchObject({ status: 'pass', diffPixels: 0, maxDelta: 20 });
    changed.data[4] = 255;
    expect(compareImages(decoded(gray(10, 10)), decoded(changed), { threshold: 0.1, maxDiffPixels: 1 })).toMatchObject({ status: 'pass', diffPixels: 1 });
  });

  test('includeAA: a one-pixel shift of a soft edge is counted, not excused as anti-aliasing', () => {
    const edge = (offset: number) => {
      const image = gray(12, 12);
      for (let y = 0; y < 12; y++) for (let x = 0; x < 12; x++) image.data[y * 12 + x] = x < 5 + offset ? 0 : x === 5 + offset ? 128 : 255;
      return image;
    };
    expect(compareImages(decoded(edge(0)), decoded(edge(1)), strict).diffPixels).toBeGreaterThanOrEqual(12);
  });

  test('size mismatch and missing golden are failures that say so', () => {
    expect(compareImages(decoded(gray(10, 12)), decoded(gray(10, 10)), strict)).toMatchObject({ status: 'size-mismatch', width: 10, height: 10, expectedSize: { width: 10, height: 12 } });
    expect(compareImages(undefined, decoded(gray(10, 10)), strict)).toMatchObject({ status: 'missing' });
  });
});

describe('compareImages on RGB PNGs', () => {
  const rgb = (width: number, height: number, pixel: (i: number) => [number, number, number]): Image8 => ({
    width, height, channels: 3, data: Uint8Array.from(Array.from({ length: width * height }, (_, i) => pixel(i)).flat()),
  });
  const colourful = (i: number): [number, number, number] => [(i * 40) % 256, (i * 90) % 256, (i * 150) % 256];
  const fromPng = (image: Image8) => decodePng(encodePng(image));

  test('identical RGB images pass; one channel of one pixel changed fails with that channel\'s delta', () => {
    const expected = rgb(6, 5, colourful);
    expect(compareImages(fromPng(expected), fromPng(rgb(6, 5, colourful)), strict)).toMatchObject({ status: 'pass', diffPixels: 0, maxDelta: 0 });
    const changed = rgb(6, 5, colourful);
    expect(changed.data[17 * 3 + 2]).toBe(246);
    changed.data[17 * 3 + 2] = 156; // the blue of pixel 17 only
    const result = compareImages(fromPng(expected), fromPng(changed), strict);
    expect(result).toMatchObject({ status: 'fail', diffPixels: 1, diffRatio: 1 / 30, maxDelta: 90 });
    expect(Array.from(result.diff?.subarray(17 * 4, 17 * 4 + 3) ?? [])).toEqual([255, 0, 0]);
  });

  test('a gray golden against an RGB image is a mismatch that names the channels, even when the RGB image is gray', () => {
    const grayGolden = fromPng(gray(4, 4, 90));
    const grayAsRgb = fromPng(rgb(4, 4, () => [90, 90, 90]));
    expect(compareImages(grayGolden, grayAsRgb, strict)).toEqual({
      status: 'size-mismatch', width: 4, height: 4, expectedSize: { width: 4, height: 4 }, mismatch: 'actual 3 channels (RGB) vs golden 1 channel (gray)',
    });
    expect(compareImages(grayAsRgb, grayGolden, strict).mismatch).toBe('actual 1 channel (gray) vs golden 3 channels (RGB)');
  });

  test('different sizes are a mismatch that names both sizes, whatever the channels', () => {
    expect(compareImages(fromPng(gray(28, 28)), fromPng(rgb(32, 32, colourful)), strict)).toMatchObject({ status: 'size-mismatch', mismatch: 'actual 32×32 vs golden 28×28' });
  });

  test('pixels from elsewhere (no channel count, e.g. a canvas) compare by their RGBA alone', () => {
    expect(compareImages(decoded(gray(4, 4, 90)), fromPng(rgb(4, 4, () => [90, 90, 90])), strict)).toMatchObject({ status: 'pass', diffPixels: 0 });
  });
});

describe('compareAndReport', () => {
  const provenance: GoldenProvenance = { kind: 'prior', seed: 1, grid: 2, checkpoint: { path: 'x', weights: { 'decoder/weights.bin': 'a' } }, backend: 'cpu' };
  const job = (goldensDir: string, reportDir: string, actual: Image8) => {
    const golden = path.join(goldensDir, 'synthetic.png');
    const expectedPng = existsSync(golden) ? readFileSync(golden) : undefined;
    return { name: 'synthetic', actualPng: encodePng(actual), expectedPng, provenance, thresholds: strict, goldensDir, reportDir, index: {} };
  };

  test('a failure writes actual, expected, diff and result.json and names them in the message', async () => {
    const goldensDir = tempDir('goldens');
    const reportDir = tempDir('report');
    await writePng(path.join(goldensDir, 'synthetic.png'), gray(8, 8));
    const changed = gray(8, 8);
    changed.data.fill(255, 0, 3);
    const entry = await compareAndReport(job(goldensDir, reportDir, changed));
    expect(entry).toMatchObject({ status: 'fail', diffPixels: 3, maxDelta: 255, actual: 'synthetic/actual.png', expected: 'synthetic/expected.png', diff: 'synthetic/diff.png', result: 'synthetic/result.json' });
    expect(entry.message).toMatch(/^golden synthetic: FAIL, 3 of 64 pixels differ \(4\.688%, max delta 255\/255; allowed 0 at threshold 0\.1\); report: /);
    expect(entry.message).toContain(`report: ${path.join(reportDir, 'synthetic')}/`);
    ['actual.png', 'expected.png', 'diff.png', 'result.json'].forEach((f) => expect(existsSync(path.join(reportDir, 'synthetic', f))).toBe(true));
    expect(decodePng(readFileSync(path.join(reportDir, 'synthetic', 'diff.png'))).width).toBe(8);
    expect(JSON.parse(readFileSync(path.join(reportDir, 'synthetic', 'result.json'), 'utf8'))).toMatchObject({ diffPixels: 3, diffRatio: 3 / 64, maxDelta: 255, provenance });
  });

  test('a pass removes stale evidence from an earlier failure', async () => {
    const goldensDir = tempDir('goldens');
    const reportDir = tempDir('report');
    await writePng(path.join(goldensDir, 'synthetic.png'), gray(8, 8));
    const changed = gray(8, 8, 255);
    await compareAndReport(job(goldensDir, reportDir, changed));
    const entry = await compareAndReport(job(goldensDir, reportDir, gray(8, 8)));
    expect(entry).toMatchObject({ status: 'pass', expected: 'synthetic/expected.png', actual: null, diff: null, result: null });
    // No diff stays; the entry names only the golden's copy (the static report shows it on its own), and the
    // unnamed actual.png + result.json are for cvae accept.
    expect(readdirSync(path.join(reportDir, 'synthetic')).sort()).toEqual(['actual.png', 'expected.png', 'result.json']);
  });

  test('a missing golden fails with the update instruction and keeps actual.png for review', async () => {
    const reportDir = tempDir('report');
    const entry = await compareAndReport(job(tempDir('goldens'), reportDir, gray(8, 8)));
    expect(entry).toMatchObject({ status: 'missing', expected: null, diff: null, actual: 'synthetic/actual.png' });
    expect(entry.message).toContain('run: npx cvae golden update synthetic');
  });

  test('a golden that does not match its goldens.json entry fails, naming both hashes, even when its pixels match', async () => {
    const goldensDir = tempDir('goldens');
    await writePng(path.join(goldensDir, 'synthetic.png'), gray(8, 8));
    const entry = await compareAndReport({ ...job(goldensDir, tempDir('report'), gray(8, 8)), integrityProblem: 'synthetic.png has sha256 aaa…, goldens.json records bbb…' });
    expect(entry.status).toBe('fail');
    expect(entry.message).toBe('golden synthetic: FAIL, INDEX MISMATCH: synthetic.png has sha256 aaa…, goldens.json records bbb…; rewrite it with: npx cvae golden update synthetic');
  });

  test('a size mismatch names both sizes', async () => {
    const goldensDir = tempDir('goldens');
    await writePng(path.join(goldensDir, 'synthetic.png'), gray(8, 9));
    const entry = await compareAndReport(job(goldensDir, tempDir('report'), gray(8, 8)));
    expect(entry.status).toBe('size-mismatch');
    expect(entry.message).toContain('actual 8×8 vs golden 8×9');
  });

  test('a gray golden against an RGB image names the channels', async () => {
    const goldensDir = tempDir('goldens');
    await writePng(path.join(goldensDir, 'synthetic.png'), gray(8, 8));
    const entry = await compareAndReport(job(goldensDir, tempDir('report'), { width: 8, height: 8, channels: 3, data: new Uint8Array(8 * 8 * 3) }));
    expect(entry).toMatchObject({ status: 'size-mismatch', diff: null, actual: 'synthetic/actual.png' });
    expect(entry.message).toMatch(/^golden synthetic: SIZE MISMATCH, actual 3 channels \(RGB\) vs golden 1 channel \(gray\); report: /);
  });
});
