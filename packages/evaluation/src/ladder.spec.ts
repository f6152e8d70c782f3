/**
 * The perturbation ladder (README "Which check catches what"): multiplicative Gaussian noise of 0.1%,
 * 0.3%, 1% and 3% on the decoder's or the encoder's weights of the reference checkpoint, and 10% on
 * the decoder, each checked against the reference suite's goldens and tolerances with gates on 2,000
 * images. The table below is the expectation: which goldens fail and what the ELBO gate says.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { availableParallelism } from 'os';
import * as path from 'path';
import { SUITE_FILE, type Suite } from '@cvae/formats';
import { checkSuite, type SuiteCheck } from './check';
import { perturbCheckpoint, type WeightPart } from './perturb';
import { defaultSuiteDir, suiteCheckpointDir } from './suite';
import { LOST_CLASS_EDIT, remapDecoderLatent } from './test-utils/classifier';
import { tempDir } from './test-utils/reference';
import { loadCheckpoint, saveCheckpoint } from '@cvae/model';

jest.setTimeout(600_000);

const GATE_IMAGES = 2000;
const WITHIN = ['unchanged', 'changed within margin'];

/** part, scale → goldens that must fail, and whether the ELBO gate must call it worse. */
const LADDER: [WeightPart, number, string[], 'within' | 'worse'][] = [
  ['decoder', 0.001, ['prior'], 'within'],
  ['decoder', 0.003, ['prior', 'recon', 'manifold'], 'within'],
  ['decoder', 0.01, ['prior', 'recon', 'manifold'], 'within'],
  ['decoder', 0.03, ['prior', 'recon', 'manifold'], 'within'],
  ['decoder', 0.1, ['prior', 'recon', 'manifold'], 'worse'],
  ['encoder', 0.001, [], 'within'],
  ['encoder', 0.003, [], 'within'],
  ['encoder', 0.01, ['recon'], 'within'],
  ['encoder', 0.03, ['recon'], 'within'],
];

let scratch: string;
let suiteDir: string;
let reference: string;
let referenceQuality: Suite['quality'];

/** The reference suite with 2,000 gate images: its goldens and tolerances, a baseline measured here. */
beforeAll(async () => {
  scratch = tempDir('ladder');
  suiteDir = path.join(scratch, 'suite');
  mkdirSync(suiteDir);
  const source = defaultSuiteDir();
  for (const file of ['goldens.json', 'prior.png', 'recon.png', 'manifold.png', 'noise.json']) cpSync(path.join(source, file), path.join(suiteDir, file));
  const suite = JSON.parse(readFileSync(path.join(source, SUITE_FILE), 'utf8')) as Suite;
  reference = suiteCheckpointDir(suite);
  referenceQuality = suite.quality;
  // The ladder is about goldens and metric gates; the quality gate has its own test below.
  writeFileSync(path.join(suiteDir, SUITE_FILE), JSON.stringify({ ...suite, quality: undefined, gates: { ...suite.gates, images: GATE_IMAGES } }));
  const first = await check(reference, 'new');
  expect(first.written.baseline).toBe(true);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function check(checkpoint: string, update: 'none' | 'new' = 'none'): Promise<SuiteCheck> {
  return checkSuite({ suiteDir, checkpoint, reportDir: path.join(scratch, `report-${path.basename(checkpoint)}`), update, workers: availableParallelism() });
}

const failingGoldens = (c: SuiteCheck) => c.report.comparisons.filter((e) => e.status !== 'pass').map((e) => e.name);
const elbo = (c: SuiteCheck) => c.report.gates.find((g) => g.metric === 'elbo');

test('the unchanged checkpoint passes: every golden, every gate unchanged', async () => {
  const { report } = await check(reference);
  expect(failingGoldens({ report } as SuiteCheck)).toEqual([]);
  expect(report.gates.map((g) => [g.metric, g.verdict])).toEqual(report.gates.map((g) => [g.metric, 'unchanged']));
  expect(report.passed).toBe(true);
});

test.each(LADDER)('%s weights × (1 + %s·n): failing goldens %j, ELBO %s', async (part, scale, goldens, elboVerdict) => {
  const checkpoint = path.join(scratch, `${part}-${scale}`);
  await perturbCheckpoint(reference, checkpoint, { part, scale, seed: 1 });
  const result = await check(checkpoint);
  expect(failingGoldens(result)).toEqual(goldens);
  const gate = elbo(result);
  if (elboVerdict === 'worse') {
    expect([gate?.verdict, gate?.passed]).toEqual(['worse', false]);
    expect(gate?.message).toMatch(/^ELBO −\d+\.\d\d → −\d+\.\d\d \(Δ −\d+\.\d\d ± \d+\.\d\d paired over 2,000 images\): worse than margin 0\.50/);
  } else {
    expect(WITHIN).toContain(gate?.verdict);
    expect(result.report.gates.every((g) => g.passed)).toBe(true);
  }
  expect(result.report.passed).toBe(goldens.length === 0 && elboVerdict === 'within');
});

describe('the sample-quality gate of the reference suite', () => {
  const QUALITY_SAMPLES = 5000;

  beforeAll(() => {
    if (referenceQuality === undefined) throw new Error('suites/reference/suite.json has no quality gate');
    const suite = JSON.parse(readFileSync(path.join(suiteDir, SUITE_FILE), 'utf8')) as Suite;
    writeFileSync(path.join(suiteDir, SUITE_FILE), JSON.stringify({ ...suite, quality: { ...referenceQuality, samples: QUALITY_SAMPLES } }));
  });

  test('the reference passes its bounds', async () => {
    const { report } = await check(reference);
    expect(report.quality?.violations).toEqual([]);
    expect(report.quality?.result.samples.images).toBe(QUALITY_SAMPLES);
    expect(report.passed).toBe(true);
  });

  test('a decoder edited until a class disappears from its samples fails it, naming the class', async () => {
    const lost = path.join(scratch, 'lost-class');
    const { model, manifest } = await loadCheckpoint(reference);
    try {
      remapDecoderLatent(model, LOST_CLASS_EDIT.scale, LOST_CLASS_EDIT.shift);
      await saveCheckpoint(lost, model, { epoch: manifest.epoch, step: manifest.step, seeds: manifest.seeds, dataset: manifest.dataset, backend: manifest.backend });
    } finally {
      model.dispose();
    }
    const { report } = await check(lost);
    const quality = report.quality;
    expect(quality?.passed).toBe(false);
    const { minClass, minClassShare } = quality?.result.samples ?? { minClass: -1, minClassShare: 1 };
    expect(minClassShare).toBeLessThan(0.005);
    expect(quality?.violations.filter((v) => v.startsWith(`prior samples: class ${minClass} has`))).toHaveLength(1);
    expect(report.passed).toBe(false);
  });
});
