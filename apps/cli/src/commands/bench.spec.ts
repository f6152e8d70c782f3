import { runCli } from '../cli';
import type { Io } from '../command';
import { benchCommand } from './bench';

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
  const code = await runCli(argv, io, [benchCommand]);
  return { code, stdout, stderr };
}

jest.setTimeout(120_000);

describe('cvae bench', () => {
  it('times real training steps and names what ran them (wasm: the fused multiply-add build of conv.wasm)', async () => {
    const { code, stdout, stderr } = await run('bench', '--backend', 'wasm', '--batch-size', '16', '--steps', '2', '--warmup', '1', '--workers', '1', '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ backend: 'wasm', convKernels: 'conv.wasm simd128-fma', workers: 1 });
    expect(result.msPerStepMedian).toBeGreaterThan(0);
    expect(result.msPerImage).toBeCloseTo(result.msPerStepMedian / 16, 6);
  });

  test.each([
    [['bench', '--steps', '0'], "cvae: --steps must be an integer ≥ 1, got '0'\n"],
    [['bench', '--workers', 'two'], "cvae: --workers must be an integer in [1, 64], got 'two'\n"],
  ])('%j is a usage error', async (argv, message) => {
    const { code, stdout, stderr } = await run(...argv);
    expect({ code, stdout, stderr }).toEqual({ code: 2, stdout: '', stderr: message });
  });
});
