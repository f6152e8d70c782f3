import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { run } from '../test-utils/run-cli';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** DIR/<class>/<i>.png: `counts[class]` solid 8×6 RGB images. */
async function imageFolder(counts: Record<string, number>): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cvae-data-info-'));
  dirs.push(dir);
  for (const [name, count] of Object.entries(counts)) {
    mkdirSync(path.join(dir, name));
    for (let i = 0; i < count; i++) {
      await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: i, g: 100, b: 200 } } }).png().toFile(path.join(dir, name, `${i}.png`));
    }
  }
  return dir;
}

describe('cvae data info on an image folder', () => {
  it('prints the identity, classes, counts per split and the image size, without decoding', async () => {
    const dir = await imageFolder({ cat: 10, dog: 20 });
    const { code, stdout } = await run('data', 'info', '--data-dir', dir);
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`source: image folder (${dir}), layout classes`);
    expect(lines[1]).toMatch(new RegExp(`^identity: image folder ${dir} 6x8x3 \\([0-9a-f]{12}\\)$`));
    expect(lines[2]).toBe('images: 6x8 (30), colour, train 27, test 3');
    expect(stdout).toMatch(/^cat\s+9\s+1$/m);
    expect(stdout).toMatch(/^dog\s+18\s+2$/m);
  });

  it('gives the identity as JSON', async () => {
    const dir = await imageFolder({ a: 10 });
    const info = JSON.parse((await run('data', 'info', '--data-dir', dir, '--json')).stdout);
    expect(info).toMatchObject({ source: 'image-folder', layout: 'classes', classes: ['a'], train: { count: 9 }, test: { count: 1 } });
    expect(info.identity.imageFolder.preprocess).toMatchObject({ height: 6, width: 8, channels: 3 });
  });

  it('fails in one line naming a file that is not an image (exit 2, as other bad input)', async () => {
    const dir = await imageFolder({ a: 10 });
    writeFileSync(path.join(dir, 'a', 'bad.png'), 'nope');
    const { code, stderr } = await run('data', 'info', '--data-dir', dir);
    expect(code).toBe(2);
    expect(stderr).toBe(`cvae: ${path.join(dir, 'a', 'bad.png')}: cannot be decoded as an image (neither PNG nor JPEG data: starts with 6e 6f 70 65)\n`);
  });
});
