/** tools/emoji-image-folder.ts run as a real process on the emoji-datasource-google devDependency, read back through loadSplit. */
import { spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import * as path from 'path';
import { loadSplit } from './load';
import { removeTempDirs, tempDir } from './test-utils/image-fixtures';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const TOOL = path.join(ROOT, 'tools', 'emoji-image-folder.ts');
const tsx = (args: string[]) => spawnSync(process.execPath, [require.resolve('tsx/cli'), '--tsconfig', path.join(ROOT, 'tsconfig.base.json'), TOOL, ...args], { encoding: 'utf8', env: { ...process.env } });

afterAll(removeTempDirs);

describe('tools/emoji-image-folder.ts', () => {
  it('lays out a few emoji per category as OUT/<category>/<name>.png, skipping small categories, and the loader reads it', () => {
    const out = path.join(tempDir(), 'emoji');
    const result = tsx([out, '--max-per-category', '10', '--min-images', '6']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/skipped \(fewer than 6\): component \(5\)\n$/);
    const categories = readdirSync(out).filter((name) => !name.startsWith('.'));
    expect(categories).toEqual(['activities', 'animals-nature', 'flags', 'food-drink', 'objects', 'people-body', 'smileys-emotion', 'symbols', 'travel-places']);
    expect(readdirSync(path.join(out, 'smileys-emotion'))).toContain('grinning.png');
    const train = loadSplit('train', { dataDir: out, cacheDir: tempDir(), binarization: 'none' });
    expect([train.count, train.height, train.width, train.channels, train.classes]).toEqual([81, 64, 64, 3, categories]);
  });

  it('refuses an existing OUT and bad flags in one line with exit 2', () => {
    const existing = tempDir();
    expect(tsx([existing])).toMatchObject({ status: 2, stderr: `emoji-image-folder: ${existing}: already exists (choose a new directory)\n` });
    expect(tsx([path.join(existing, 'new'), '--min-images', '0'])).toMatchObject({ status: 2, stderr: "emoji-image-folder: --min-images must be an integer ≥ 1, got '0'\n" });
  });
});
