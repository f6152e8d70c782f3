/** Every committed file of the workspace validates against its schema, and the schemas reject what they must. */
import { readFileSync } from 'fs';
import * as path from 'path';
import { CheckpointManifestSchema } from './checkpoint';
import { ClassifierManifestSchema } from './classifier';
import { estimate } from './common';
import { GOLDEN_NAME_PATTERN, GoldenIndexSchema } from './goldens';
import { BaselineSchema, NoiseEvidenceSchema, SuiteSchema } from './suite';
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
    ['suites/reference/suite.json', SuiteSchema],
    ['suites/reference/goldens.json', GoldenIndexSchema],
    ['suites/reference/baseline.json', BaselineSchema],
    ['suites/reference/noise.json', NoiseEvidenceSchema],
    ['classifiers/mnist/manifest.json', ClassifierManifestSchema],
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

describe('estimate', () => {
  it('mean and standard error (sample sd / √n)', () => {
    const e = estimate([1, 2, 3, 4]);
    expect(e.mean).toBe(2.5);
    expect(e.standardError).toBeCloseTo(Math.sqrt(1.6666666666666667 / 4), 12);
    expect(estimate([5]).standardError).toBe(0);
  });
});
