/** Every committed file of the workspace validates against its schema, and the schemas reject what they must. */
import { readFileSync } from 'fs';
import * as path from 'path';
import { CheckpointManifestSchema } from './checkpoint';
import { ClassifierManifestSchema, SampleQualityBoundsSchema } from './classifier';
import { GatesSchema } from './gates';
import { GOLDEN_NAME_PATTERN, GoldenConfigSchema, GoldenIndexSchema } from './goldens';
import { parseFormat, parseJsonLines, parseJsonText } from './read';
import { AdamSpecSchema, MetricRowSchema, RunInfoSchema, TrainingStateSchema } from './run';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const read = (relative: string) => readFileSync(path.join(ROOT, relative), 'utf8');
const REFERENCE = 'runs/reference';

describe('the committed files validate', () => {
  it.each([
    [`${REFERENCE}/run.json`, RunInfoSchema],
    [`${REFERENCE}/checkpoints/last/manifest.json`, CheckpointManifestSchema],
    [`${REFERENCE}/checkpoints/last/training/state.json`, TrainingStateSchema],
    [`${REFERENCE}/checkpoints/last/optimizer/adam.json`, AdamSpecSchema],
    ['packages/evaluation/goldens/golden.config.json', GoldenConfigSchema],
    ['packages/evaluation/goldens/goldens.json', GoldenIndexSchema],
    ['packages/evaluation/gates.json', GatesSchema],
    ['classifiers/mnist/manifest.json', ClassifierManifestSchema],
    ['packages/evaluation/sample-quality.bounds.json', SampleQualityBoundsSchema],
  ] as const)('%s', (file, schema) => {
    expect(() => parseJsonText(schema, read(file), file)).not.toThrow();
  });

  it(`${REFERENCE}/metrics.jsonl`, () => {
    expect(parseJsonLines(MetricRowSchema, read(`${REFERENCE}/metrics.jsonl`), 'metrics.jsonl')).toHaveLength(10);
  });
});

describe('schemas', () => {
  it('one golden name rule for every reader and writer: letters, digits, "-" and "_"', () => {
    for (const ok of ['prior', 'digit_7', 'Latent-Manifold', '7']) expect(GOLDEN_NAME_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', '../x', 'a/b', '-lead', 'dot.png', 'sp ace']) expect(GOLDEN_NAME_PATTERN.test(bad)).toBe(false);
  });

  it('a manifest may not list a file outside the checkpoint', () => {
    const manifest = JSON.parse(read(`${REFERENCE}/checkpoints/last/manifest.json`));
    const evil = { ...manifest, files: { ...manifest.files, '../../etc/passwd': manifest.files['encoder/weights.bin'] } };
    expect(() => parseFormat(CheckpointManifestSchema, evil, 'manifest.json')).toThrow(/^manifest\.json: files\.\.\.\/\.\.\/etc\/passwd: unsafe file path \(got "\.\.\/\.\.\/etc\/passwd"\)$/);
  });

  it('run.json keeps fields a later version adds (it is rewritten on resume)', () => {
    const run = { ...JSON.parse(read(`${REFERENCE}/run.json`)), addedLater: { x: 1 } };
    expect(parseFormat(RunInfoSchema, run, 'run.json')).toMatchObject({ addedLater: { x: 1 } });
  });

  it('a training config outside its ranges is refused, naming the field', () => {
    const state = JSON.parse(read(`${REFERENCE}/checkpoints/last/training/state.json`));
    expect(() => parseFormat(TrainingStateSchema, { ...state, config: { ...state.config, kl: 'exact' } }, 'state.json')).toThrow(/^state\.json: config\.kl: /);
    expect(() => parseFormat(TrainingStateSchema, { ...state, config: { ...state.config, seed: 2 ** 32 } }, 'state.json')).toThrow(/^state\.json: config\.seed: /);
  });
});
