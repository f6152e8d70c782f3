import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { run } from './test-utils/run-cli';

describe('cvae CLI', () => {
  it('prints global help listing the commands', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/data info/);
  });

  it('rejects an unknown command with one line and exit 2', async () => {
    const { code, stderr } = await run('frobnicate');
    expect(code).toBe(2);
    expect(stderr).toBe("cvae: unknown command 'frobnicate' (see cvae --help)\n");
  });

  it('rejects an unknown subcommand and a missing one', async () => {
    expect((await run('data', 'nope')).stderr).toMatch(/unknown command 'data nope' \(try: info\)/);
    expect((await run('data')).code).toBe(2);
  });

  it('rejects an unknown flag with exit 2', async () => {
    const { code, stderr } = await run('data', 'info', '--jsn');
    expect(code).toBe(2);
    expect(stderr).toBe('cvae: unknown flag --jsn\n');
  });

  it('shows help for a subcommand', async () => {
    const { code, stdout } = await run('data', 'info', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: cvae data info/);
    expect(stdout).toMatch(/--data-dir DIR/);
  });

  it('shows help for a group, on stdout with exit 0', async () => {
    const { code, stdout, stderr } = await run('golden', '--help');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/Usage: cvae golden/);
    expect(stdout).toMatch(/^ {2}check\b/m);
    expect(stdout).toMatch(/^ {2}update\b/m);
  });

  it('shows help for a command through `cvae help <command>`', async () => {
    const { code, stdout } = await run('help', 'eval');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: cvae eval/);
  });

  test.each([
    [['golden'], "cvae: 'golden' needs a subcommand: init, check, update, noise\n"],
    [['data', 'info', 'extra'], "cvae: unexpected argument 'extra'\n"],
    [['data', 'info', '--data-dir'], 'cvae: --data-dir needs a value\n'],
    [['data', 'info', '--json=yes'], 'cvae: unknown flag --json=yes\n'],
  ])('%j → exit 2 with one line and no help', async (argv, message) => {
    expect(await run(...argv)).toEqual({ code: 2, stdout: '', stderr: message });
  });
});

describe('flags shared by several commands', () => {
  const missing = '/no/such/checkpoint';

  // Each command is given something that fails after --seed is parsed, so nothing runs.
  test.each([
    ['eval', ['--checkpoint', missing]],
    ['sample', ['--checkpoint', missing, '--kind', 'prior', '--out', 'a.png']],
    ['train', ['--data-dir', '/no/such/dir']],
  ])('--seed has one range on %s: 2^32 - 1 is accepted, 2^32 is not', async (command, rest) => {
    const refused = await run(command, '--seed', '4294967296', ...rest);
    expect(refused).toEqual({ code: 2, stdout: '', stderr: "cvae: --seed must be an integer in [0, 4294967295], got '4294967296'\n" });
    const accepted = await run(command, '--seed', '4294967295', ...rest);
    expect(accepted.code).toBe(2);
    expect(accepted.stderr).not.toMatch(/--seed/);
  });

  test.each([['eval'], ['train'], ['bench']])('--workers has one range on %s', async (command) => {
    expect(await run(command, '--workers', '65')).toEqual({ code: 2, stdout: '', stderr: "cvae: --workers must be an integer in [1, 64], got '65'\n" });
  });

  describe('CVAE_BACKEND', () => {
    const saved = process.env.CVAE_BACKEND;
    afterEach(() => {
      if (saved === undefined) delete process.env.CVAE_BACKEND;
      else process.env.CVAE_BACKEND = saved;
    });

    test.each(['eval', 'train', 'bench', 'golden check'])('a bad value is a usage error naming it (%s)', async (command) => {
      process.env.CVAE_BACKEND = 'nonsense';
      const result = await run(...command.split(' '));
      expect(result).toEqual({ code: 2, stdout: '', stderr: "cvae: CVAE_BACKEND must be one of auto, tfjs-node, wasm, cpu, got 'nonsense'\n" });
    });

    it('is not consulted when --backend is given', async () => {
      process.env.CVAE_BACKEND = 'nonsense';
      const result = await run('eval', '--backend', 'cpu', '--checkpoint', missing);
      expect(result.stderr).toBe(`cvae: checkpoint directory ${missing} does not exist\n`);
    });
  });
});

describe('cvae data info', () => {
  it('reports the embedded MNIST as JSON', async () => {
    const { code, stdout } = await run('data', 'info', '--json');
    expect(code).toBe(0);
    const info = JSON.parse(stdout);
    expect(info.source).toBe('embedded');
    expect([info.train.count, info.test.count]).toEqual([60000, 10000]);
    expect(info.files).toHaveLength(4);
  });

  it('prints a table for people', async () => {
    const { stdout } = await run('data', 'info');
    expect(stdout).toMatch(/train 60000, test 10000/);
    expect(stdout).toMatch(/^train\s+5923\s+6742/m);
  });

  it('fails with one line naming the flag when the data dir does not exist', async () => {
    const { code, stderr } = await run('data', 'info', '--data-dir', '/no/such/dir');
    expect(code).toBe(2);
    expect(stderr).toBe('cvae: --data-dir /no/such/dir: directory does not exist\n');
  });

  it('fails with exit 2 (bad input) and the file name when a file is missing', async () => {
    // One IDX file makes it an IDX directory (any other is read as an image folder), so the others must be there.
    const dir = mkdtempSync(path.join(tmpdir(), 'cvae-partial-idx-'));
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), '');
    const { code, stderr } = await run('data', 'info', '--data-dir', dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^cvae: ${dir}/train-labels-idx1-ubyte: missing`));
    expect(stderr.split('\n')).toHaveLength(2);
  });
});
