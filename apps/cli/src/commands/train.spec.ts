import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { runCli } from '../cli';
import type { Io } from '../command';
import { trainCommand } from './train';

/** Runs `cvae train …` in-process (like test-utils/run-cli, with only this command registered). */
async function cvaeTrain(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY: false };
  const code = await runCli(['train', ...args], io, [trainCommand]);
  return { code, stdout, stderr };
}

describe('cvae train', () => {
  let out: string;
  beforeAll(() => {
    out = mkdtempSync(path.join(tmpdir(), 'cvae-cli-train-'));
    // A run directory as `cvae train` leaves it, for the --resume cases.
    mkdirSync(path.join(out, 'existing', 'checkpoints'), { recursive: true });
    writeFileSync(path.join(out, 'existing', 'run.json'), '{}');
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('--help lists every flag', async () => {
    const { code, stdout } = await cvaeTrain('--help');
    expect(code).toBe(0);
    for (const flag of ['epochs', 'batch-size', 'latent-dim', 'seed', 'lr', 'limit', 'test-limit', 'backend', 'data-dir', 'out', 'name', 'resume', 'kl']) {
      expect(stdout).toContain(`--${flag}`);
    }
  });

  const badValues: [string, string[], RegExp][] = [
    ['zero epochs', ['--epochs', '0'], /--epochs must be an integer ≥ 1, got '0'/],
    ['negative epochs', ['--epochs=-3'], /--epochs must be an integer ≥ 1, got '-3'/],
    ['non-numeric epochs', ['--epochs', 'ten'], /--epochs must be an integer ≥ 1, got 'ten'/],
    ['batch size 0', ['--batch-size', '0'], /--batch-size must be an integer ≥ 1, got '0'/],
    ['fractional batch size', ['--batch-size', '3.5'], /--batch-size must be an integer ≥ 1/],
    ['non-numeric latent dim', ['--latent-dim', 'two'], /--latent-dim must be an integer in \[1, 1024\], got 'two'/],
    ['non-numeric seed', ['--seed', 'abc'], /--seed must be an integer in \[0, 4294967295\], got 'abc'/],
    ['non-numeric learning rate', ['--lr', 'fast'], /--lr must be a positive number, got 'fast'/],
    ['zero learning rate', ['--lr', '0'], /--lr must be a positive number, got '0'/],
    ['zero limit', ['--limit', '0'], /--limit must be an integer ≥ 1, got '0'/],
    ['non-numeric test limit', ['--test-limit', 'all'], /--test-limit must be an integer ≥ 1, got 'all'/],
    ['a test-limit with --resume', ['--resume', 'existing', '--test-limit', '100'], /--test-limit cannot be combined with --resume/],
    ['a data dir that does not exist', ['--data-dir', '/nonexistent/mnist'], /--data-dir \/nonexistent\/mnist: directory does not exist/],
    ['a bad backend', ['--backend', 'gpu'], /--backend must be one of auto, tfjs-node, wasm, cpu, got 'gpu'/],
    ['a bad kl estimator', ['--kl', 'exact'], /--kl must be one of monte-carlo, analytic, got 'exact'/],
    ['a run name with a slash', ['--name', '../escape'], /--name must be letters, digits/],
    ['a run that already exists', ['--name', 'existing'], /run .*existing already exists: continue it with --resume existing/],
    ['resuming a run that does not exist', ['--resume', 'nope'], /--resume nope: no such run/],
    ['a config flag with --resume', ['--resume', 'existing', '--seed', '3'], /--seed cannot be combined with --resume/],
    ['an unknown flag', ['--epoch', '3'], /unknown flag --epoch/],
  ];

  it.each(badValues)('%s → one-line usage error, exit 2, nothing written', async (_case, args, message) => {
    const before = readdirSync(out).sort();
    const started = Date.now();
    const { code, stdout, stderr } = await cvaeTrain('--out', out, ...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
    expect(readdirSync(out).sort()).toEqual(before);
    expect(Date.now() - started).toBeLessThan(1000); // rejected before loading data or a backend
  });

  it('trains a tiny run end to end and reports the run directory (exit 0)', async () => {
    const { code, stdout, stderr } = await cvaeTrain('--out', out, '--name', 'tiny', '--epochs', '1', '--limit', '64', '--backend', 'wasm', '--seed', '2');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/epoch 1: train loss [\d.]+ \| test ELBO -[\d.]+ ± [\d.]+/);
    expect(stdout).toMatch(/tiny: test ELBO -[\d.]+ after epoch 1/);
    expect(readFileSync(path.join(out, 'tiny', 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(out, 'tiny', 'samples', 'progress.gif'))).toBe(true);

    const again = await cvaeTrain('--out', out, '--resume', 'tiny', '--epochs', '1');
    expect(again.code).toBe(0);
    expect(readFileSync(path.join(out, 'tiny', 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  }, 120_000);
});
