import { cliRunner } from '../test-utils/run-cli';
import { benchCommand } from './bench';

const run = cliRunner([benchCommand]);

jest.setTimeout(120_000);

describe('cvae bench', () => {
  it('times real training steps and names what ran them (wasm: the fused multiply-add build of conv.wasm)', async () => {
    const { code, stdout, stderr } = await run('bench', '--backend', 'wasm', '--batch-size', '16', '--steps', '2', '--warmup', '1', '--workers', '1', '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ task: 'train', backend: 'wasm', convKernels: 'conv.wasm simd128-fma', workers: 1, batchSize: 16 });
    expect(result.msPerStepMedian).toBeGreaterThan(0);
    expect(result.msPerImage).toBeCloseTo(result.msPerStepMedian / 16, 6);
    // 3.27 GFLOP per 100 images (the model package counts it); achieved against the calibrated peak.
    expect(result.gflopPerImage).toBeCloseTo(0.0327, 4);
    expect(result.gflopsPerSecond).toBeCloseTo((result.gflopPerImage * 1000) / result.msPerImage, 6);
    expect(result.peakGflopsPerCore).toBeGreaterThan(0);
    expect(result.fractionOfPeak).toBeCloseTo(result.gflopsPerSecond / result.peakGflopsPerCore, 6);
    expect(result.loadAverage).toHaveLength(2);
  });

  it('times the test-set metrics of cvae eval (an encode and two decodes per image)', async () => {
    const { code, stdout, stderr } = await run('bench', '--task', 'eval', '--backend', 'wasm', '--images', '20', '--workers', '1', '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ task: 'eval', backend: 'wasm', workers: 1, images: 20 });
    expect(result.gflopPerImage).toBeCloseTo(0.0014 + 2 * 0.0095, 3);
    expect(result.imagesPerSecond).toBeCloseTo(20 / result.seconds, 6);
  });

  it('times the IWAE bound with k decodes per image', async () => {
    const { code, stdout, stderr } = await run('bench', '--task', 'iwae', '--backend', 'wasm', '--images', '4', '--iw-samples', '8', '--workers', '1', '--json');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ task: 'iwae', images: 4, k: 8 });
    expect(result.gflopPerImage).toBeCloseTo(0.0014 + 8 * 0.0095, 3);
  });

  test.each([
    [['bench', '--steps', '0'], "cvae: --steps must be an integer ≥ 1, got '0'\n"],
    [['bench', '--workers', 'two'], "cvae: --workers must be an integer in [1, 64], got 'two'\n"],
    [['bench', '--task', 'infer'], "cvae: --task must be one of train, eval, iwae, got 'infer'\n"],
  ])('%j is a usage error', async (argv, message) => {
    const { code, stdout, stderr } = await run(...argv);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: message });
  });
});
