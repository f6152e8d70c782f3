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

  it('fails with exit 1 and the file name when a file is missing', async () => {
    const { code, stderr } = await run('data', 'info', '--data-dir', '/tmp');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^cvae: \/tmp\/train-images-idx3-ubyte: missing/);
    expect(stderr.split('\n')).toHaveLength(2);
  });
});
