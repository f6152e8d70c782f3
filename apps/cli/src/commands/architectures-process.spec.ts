/**
 * Two architectures in one workspace, with no code change between them (issue 24): the tutorial model,
 * the same with 48 filters in its first layer (from a model file), and one with a 4-d latent space, each
 * trained for a few steps; every command runs on each, and `cvae check` judges the changed models against
 * the tutorial's suite: paired verdicts on its images, and each golden said to come from another
 * architecture. Real processes; needs the built CLI (`nx test cli` builds it first).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { GoldenReportSchema, parseJsonText } from '@cvae/formats';
import { tutorialArchitecture } from '@cvae/model';
import { assertCliBuilt, killAll, runCvae } from '../test-utils/cli-process';

jest.setTimeout(300_000);

let workspace: string;
const runs = () => path.join(workspace, 'runs');
const checkpoint = (run: string) => path.join(runs(), run, 'checkpoints', 'last');
const suite = () => path.join(workspace, 'suites', 'tutorial');
const cvae = (...args: string[]) => runCvae(args, { cwd: workspace, env: { CVAE_WORKSPACE: workspace, CVAE_BACKEND: 'wasm' }, timeoutMs: 240_000 });
const train = (name: string, ...flags: string[]) =>
  cvae('train', ...flags, '--limit', '320', '--test-limit', '100', '--batch-size', '32', '--epochs', '1', '--seed', '1', '--workers', '1', '--out', runs(), '--name', name);
const report = (name: string) => parseJsonText(GoldenReportSchema, readFileSync(path.join(workspace, 'reports', name, 'report.json'), 'utf8'), 'report.json');

beforeAll(async () => {
  assertCliBuilt();
  workspace = mkdtempSync(path.join(tmpdir(), 'cvae-architectures-'));
  const seed = tutorialArchitecture(2);
  const wide = { ...seed, encoder: seed.encoder.map((l) => (l.name === 'encoder_conv1' ? { ...l, filters: 48 } : l)) };
  writeFileSync(path.join(workspace, 'wide.json'), JSON.stringify(wide));
  for (const [name, flags] of [['tutorial', []], ['wide', ['--model', path.join(workspace, 'wide.json')]], ['z4', ['--latent-dim', '4']]] as const) {
    const result = await train(name, ...flags);
    expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 0, stderr: '' });
  }
  const init = await cvae('golden', 'init', '--suite', suite(), '--checkpoint', checkpoint('tutorial'), '--gate-images', '100', '--no-noise', '--quality-samples', '0', '--workers', '1');
  expect({ code: init.code, stderr: init.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
});
afterEach(killAll);
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

describe('a changed model judged against an old suite', () => {
  it('the suite\'s own model passes, with its architecture in the report', async () => {
    const result = await cvae('check', '--suite', suite(), '--workers', '1', '--no-ci');
    expect(result.code).toBe(0);
    expect(report('tutorial').model).toEqual({ candidate: expect.stringMatching(/^28×28×1 → c32\/2 /), baseline: expect.any(String), difference: null, pairing: 'eps' });
  });

  it('48 filters: paired verdicts on the same eps draws, and every golden said to be another architecture\'s', async () => {
    const result = await cvae('check', '--suite', suite(), '--checkpoint', checkpoint('wide'), '--workers', '1', '--no-ci');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("model: another architecture than the suite's (encoder_conv1 filters 32 → 48); gates paired on the same eps draws");
    const judged = report('tutorial');
    expect(judged.model).toMatchObject({ difference: 'encoder_conv1 filters 32 → 48', pairing: 'eps', candidate: expect.stringMatching(/^28×28×1 → c48\/2 /) });
    expect(judged.comparisons.length).toBeGreaterThan(0);
    for (const entry of judged.comparisons) expect(entry.message).toContain('the golden was made by another architecture (encoder_conv1 filters 32 → 48)');
    expect(judged.gates.map((g) => g.metric)).toEqual(expect.arrayContaining(['elbo', 'reconstructionMse']));
    for (const gate of judged.gates) expect(gate).toMatchObject({ paired: { images: 100 }, verdict: expect.any(String) });
  });

  it('another latent size: paired on images only, said so in every gate', async () => {
    const result = await cvae('check', '--suite', suite(), '--checkpoint', checkpoint('z4'), '--workers', '1', '--no-ci');
    expect(result.code).toBe(1);
    const judged = report('tutorial');
    expect(judged.model).toMatchObject({ difference: 'latent 2 → 4; encoder_mean_logvar units 4 → 8', pairing: 'images' });
    for (const gate of judged.gates) expect(gate.message).toContain('paired on images only');
  });
});

describe.each(['tutorial', 'wide', 'z4'])('every command on the %s model', (run) => {
  it('eval, sample, perturb (the copy keeps the architecture), bench', async () => {
    const evaluated = await cvae('eval', '--checkpoint', checkpoint(run), '--limit', '100', '--quality-samples', '0', '--workers', '1', '--json');
    expect({ code: evaluated.code, stderr: evaluated.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('cvae:') });
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ images: 100, elbo: { mean: expect.any(Number) } });
    const png = path.join(workspace, `${run}-prior.png`);
    expect((await cvae('sample', '--checkpoint', checkpoint(run), '--kind', 'prior', '--seed', '1', '--grid', '4', '--out', png)).code).toBe(0);
    expect(existsSync(png)).toBe(true);
    const perturbed = path.join(workspace, `${run}-perturbed`);
    expect((await cvae('perturb', '--checkpoint', checkpoint(run), '--out', perturbed, '--scale', '0.5')).code).toBe(0);
    const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { architecture: unknown };
    expect(manifest(perturbed).architecture).toEqual(manifest(checkpoint(run)).architecture);
    const bench = await cvae('bench', '--task', 'eval', '--checkpoint', checkpoint(run), '--images', '50', '--workers', '1', '--json');
    expect(bench.code).toBe(0);
    expect(JSON.parse(bench.stdout)).toMatchObject({ task: 'eval', images: 50 });
  });
});
