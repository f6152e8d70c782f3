/**
 * The workspace rule from the outside: the built CLI (bin/cvae.js), started in a subdirectory of the
 * workspace, finds its files under the workspace root (the nearest ancestor with nx.json), not under
 * the working directory. In-process tests cannot show this: jest's cwd is the root and workspaceRoot()
 * is found once per process. Needs `npx nx run cli:build` (`nx test cli` runs it first).
 */
import { existsSync } from 'fs';
import * as path from 'path';
import { WORKSPACE_ROOT, assertCliBuilt, runCvae } from './test-utils/cli-process';

const SUBDIRECTORY = path.join(WORKSPACE_ROOT, 'packages', 'model');
const REFERENCE_CHECKPOINT = path.join(WORKSPACE_ROOT, 'runs', 'reference', 'checkpoints', 'last');

/** Runs `cvae …` in `cwd` with none of the variables that would override the rule. */
async function cvae(cwd: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { CVAE_WORKSPACE: undefined, CVAE_REFERENCE_CHECKPOINT: undefined, CVAE_BACKEND: undefined };
  const { code, stdout, stderr } = await runCvae(args, { cwd, env, timeoutMs: 60_000 });
  return { code, stdout, stderr };
}

describe('cvae run from a subdirectory of the workspace', () => {
  beforeAll(() => {
    assertCliBuilt();
    expect(existsSync(path.join(SUBDIRECTORY, 'nx.json'))).toBe(false);
  });

  it('eval defaults to the workspace reference checkpoint', async () => {
    const result = await cvae(SUBDIRECTORY, 'eval', '--limit', '20', '--workers', '1', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ checkpoint: REFERENCE_CHECKPOINT, images: 20, sampleQuality: { classifier: { path: 'classifiers/mnist' } } });
  }, 60_000);

  it('every default directory comes from the workspace layout', async () => {
    const [view, train, check] = await Promise.all([cvae(SUBDIRECTORY, 'view', '--help'), cvae(SUBDIRECTORY, 'train', '--help'), cvae(SUBDIRECTORY, 'golden', 'check', '--help')]);
    // Help wraps long lines; the paths are compared with the wrapping undone.
    const unwrapped = (text: string) => text.replace(/\s+/g, ' ');
    expect(unwrapped(view.stdout)).toContain(`(default: ${path.join(WORKSPACE_ROOT, 'runs')})`);
    expect(unwrapped(view.stdout)).toContain(`(default: ${path.join(WORKSPACE_ROOT, 'suites')})`);
    expect(unwrapped(view.stdout)).toContain(`(default: ${path.join(WORKSPACE_ROOT, 'reports')})`);
    expect(unwrapped(train.stdout)).toContain(`(default: ${path.join(WORKSPACE_ROOT, 'runs')})`);
    expect(unwrapped(check.stdout)).toContain(`(default: ${path.join(WORKSPACE_ROOT, 'suites', 'reference')})`);
  }, 30_000);

  it('a relative path given by the user stays relative to the working directory', async () => {
    const result = await cvae(SUBDIRECTORY, 'eval', '--checkpoint', 'runs/reference/checkpoints/last');
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'cvae: checkpoint directory runs/reference/checkpoints/last does not exist\n' });
  }, 30_000);
});
