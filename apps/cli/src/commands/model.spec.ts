import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { tutorialArchitecture } from '@cvae/model';
import { cliRunner } from '../test-utils/run-cli';

const run = cliRunner();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cvae-model-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cvae model', () => {
  it('show prints a preset as the model file train reads, and that file reads back the same', async () => {
    const shown = await run('model', 'show', 'tutorial');
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(shown.stdout)).toEqual(tutorialArchitecture(2));
    const file = path.join(dir, 'mine.json');
    writeFileSync(file, shown.stdout);
    const again = await run('model', 'show', file, '--latent-dim', '8');
    expect(JSON.parse(again.stdout)).toEqual(tutorialArchitecture(8));
  });

  it('show names the layer and both shapes of a model that does not fit, exit 2', async () => {
    const broken = { ...tutorialArchitecture(2), inputShape: [32, 32, 3] };
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    expect(await run('model', 'show', file)).toEqual({
      code: 2,
      stdout: '',
      stderr: `cvae: model ${file}: decoder output 28×28×1 (layer decoder_logits) vs 32×32×3 expected from input 32×32×3\n`,
    });
  });

  it('list gives every preset in one line of layers', async () => {
    const listed = await run('model', 'list');
    expect(listed.code).toBe(0);
    for (const preset of ['tutorial', 'mlp', 'conv32-rgb', 'conv64-rgb']) expect(listed.stdout).toContain(preset);
    expect(listed.stdout).toContain('32×32×3 → c32/2 c64/2 c128/2 f d32 → z16');
  });
});
