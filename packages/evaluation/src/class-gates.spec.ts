/**
 * Per-class gates with real models: the reference model fine-tuned here twice for 6 epochs on 640 training
 * images, the baseline on the first 640, the candidate on the first 640 that are not a 3 (same order,
 * steps and eps). Over all gate images the candidate stays within margin; on the 3s alone it is worse,
 * and only there. The suite is made by initSuite (which writes per-class settings for a labelled dataset)
 * and judged by checkSuite, with the margins init proposes.
 */
import { readFileSync, rmSync, writeFileSync } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { type ImageSet, SeededRandom } from '@cvae/dataset';
import { DEFAULT_CLASS_MARGIN_FACTOR, DEFAULT_MARGINS, type GateResult, GoldenReportSchema, SUITE_FILE, type Suite, parseJsonText } from '@cvae/formats';
import { loadCheckpoint, loadImagesFor, negativeElbo, saveCheckpoint } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { checkSuite } from './check';
import { classesOfImages, perClassLines } from './gates';
import { initSuite } from './init';
import { referenceCheckpoint, tempDir } from './test-utils/reference';

jest.setTimeout(300_000);

const TRAIN_IMAGES = 640;
const EPOCHS = 6;
const BATCH = 32;
const GATE_IMAGES = 1000;
const FORGOTTEN = 3;
const IMAGES = { prior: { kind: 'prior' as const, seed: 3, grid: 2 } };

let scratch: string;
let suiteDir: string;
let baselineDir: string;
let candidateDir: string;

/**
 * Fine-tunes the reference model on `set` with Adam: both models start from the same weights and take the
 * same steps with the same eps draws (from scratch, two tiny models differ per class by ±7 nats whatever
 * they were shown; from a trained model, the difference is what the images were).
 */
async function trainTiny(set: ImageSet, dir: string): Promise<void> {
  const reference = await loadCheckpoint(referenceCheckpoint());
  const model = reference.model;
  const optimizer = tf.train.adam(1e-3);
  const random = new SeededRandom(11);
  try {
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      for (let start = 0; start < set.count; start += BATCH) {
        const count = Math.min(BATCH, set.count - start);
        const pixels = set.images.subarray(start * model.pixelsPerImage, (start + count) * model.pixelsPerImage);
        const eps = random.normals(count * model.latentDim);
        tf.tidy(() => {
          const x = model.imageTensor(pixels, count);
          optimizer.minimize(() => negativeElbo(model, x, tf.tensor2d(eps, [count, model.latentDim])), false, model.trainableVariables());
        });
      }
    }
    const { seeds, dataset } = reference.manifest;
    await saveCheckpoint(dir, model, { epoch: EPOCHS, step: 0, seeds, dataset, backend: tf.getBackend() });
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** The first `count` images of the set that are not of class `label`, in order (as many steps as the baseline's). */
function withoutClass(set: ImageSet, label: number, count: number): ImageSet {
  const kept = [...set.labels.keys()].filter((i) => set.labels[i] !== label).slice(0, count);
  if (kept.length < count) throw new Error(`only ${kept.length} training images are not ${label}`);
  const size = set.images.length / set.count;
  const images = new Float32Array(kept.length * size);
  kept.forEach((i, j) => images.set(set.images.subarray(i * size, (i + 1) * size), j * size));
  return { ...set, count: kept.length, images, labels: Uint8Array.from(kept.map((i) => set.labels[i])) };
}

beforeAll(async () => {
  await initBackend();
  scratch = tempDir('class-gates');
  suiteDir = path.join(scratch, 'suite');
  baselineDir = path.join(scratch, 'baseline');
  candidateDir = path.join(scratch, 'candidate');
  const { manifest } = await loadCheckpoint(referenceCheckpoint()).then((r) => (r.model.dispose(), r));
  const train = loadImagesFor(manifest.architecture, 'train', { limit: 2 * TRAIN_IMAGES });
  await trainTiny(withoutClass(train, -1, TRAIN_IMAGES), baselineDir);
  await trainTiny(withoutClass(train, FORGOTTEN, TRAIN_IMAGES), candidateDir);
  await initSuite({ suiteDir, checkpoint: baselineDir, gateImages: GATE_IMAGES, images: IMAGES, measureNoise: false, qualitySamples: 0, workers: 1 });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const check = (checkpoint: string) => checkSuite({ suiteDir, checkpoint, update: 'none', reportDir: path.join(scratch, `report-${path.basename(checkpoint)}`), workers: 1 });
const gateOf = (gates: GateResult[], metric: string) => gates.find((g) => g.metric === metric) as GateResult;
const classOf = (gate: GateResult, name: string) => gate.perClass?.classes.find((c) => c.name === name);

test('init writes per-class gates for a labelled dataset: margins from the constants, a floor per class, the note', () => {
  const suite = JSON.parse(readFileSync(path.join(suiteDir, SUITE_FILE), 'utf8')) as Suite;
  const { elbo, reconstructionMse } = suite.gates.metrics;
  expect(elbo.perClass?.margin).toBe(DEFAULT_MARGINS.elbo * DEFAULT_CLASS_MARGIN_FACTOR);
  expect(reconstructionMse.perClass?.margin).toBe(DEFAULT_MARGINS.reconstructionMse * DEFAULT_CLASS_MARGIN_FACTOR);
  expect(Object.keys(elbo.perClass?.floors ?? {})).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  expect(elbo.perClass?.floors?.['1']?.min).toBeGreaterThan(elbo.perClass?.floors?.['8']?.min ?? 0);
  expect(suite.notes?.some((n) => n.startsWith('Per-class gates (perClass) were PROPOSED') && n.includes(`${DEFAULT_CLASS_MARGIN_FACTOR} ×`))).toBe(true);
});

test('the baseline against itself: every class of every gate unchanged', async () => {
  const { report } = await check(baselineDir);
  expect(report.passed).toBe(true);
  for (const gate of report.gates) {
    expect(gate.perClass?.classes).toHaveLength(10);
    expect(gate.perClass?.classes.every((c) => c.verdict === 'unchanged' && c.passed)).toBe(true);
    expect(gate.perClass?.summary).toMatch(/per class \(10 classes, margin .*\): all pass; worst \d: Δ .*, unchanged$/);
    expect(perClassLines(gate)).toEqual([`  ${gate.perClass?.summary}`]);
  }
});

test('a model that never saw a 3: ELBO and MSE pass over all images, fail on class 3 only', async () => {
  const { report, reportDir } = await check(candidateDir);
  const written = parseJsonText(GoldenReportSchema, readFileSync(path.join(reportDir, 'report.json'), 'utf8'), 'report.json');
  expect(gateOf(written.gates, 'elbo').perClass).toEqual(gateOf(report.gates, 'elbo').perClass);
  for (const metric of ['elbo', 'reconstructionMse']) {
    const gate = gateOf(report.gates, metric);
    expect([metric, gate.verdict, gate.floorViolation]).toEqual([metric, expect.stringMatching(/^(unchanged|changed within margin|better)$/), undefined]);
    const three = classOf(gate, String(FORGOTTEN));
    expect([three?.verdict, three?.passed, three?.worst]).toEqual(['worse', false, true]);
    const others = gate.perClass?.classes.filter((c) => c.name !== String(FORGOTTEN)) ?? [];
    expect(others.filter((c) => !c.passed).map((c) => c.message)).toEqual([]);
    expect(gate.passed).toBe(false);
    expect(gate.message).toMatch(/; PER CLASS: 3 failing$/);
    expect(perClassLines(gate)).toEqual([`  FAIL ${three?.message}`]);
  }
  expect(perClassLines(gateOf(report.gates, 'kl'))).toHaveLength(1);
  expect(report.passed).toBe(false);
});

test('a suite without perClass keeps its verdicts exactly: no class results, the same gates', async () => {
  const text = readFileSync(path.join(suiteDir, SUITE_FILE), 'utf8');
  const suite = JSON.parse(text) as Suite;
  for (const gate of Object.values(suite.gates.metrics)) delete gate?.perClass;
  try {
    writeFileSync(path.join(suiteDir, SUITE_FILE), JSON.stringify(suite));
    const { report } = await check(candidateDir);
    expect(report.gates.every((g) => g.perClass === undefined)).toBe(true);
    expect(gateOf(report.gates, 'elbo').passed).toBe(true);
  } finally {
    writeFileSync(path.join(suiteDir, SUITE_FILE), text);
  }
});

test('the classes of the gate images: an image folder names them, IDX labels are their digits, an unlabelled folder has none', () => {
  const labels = Uint8Array.from([2, 0, 1, 2]);
  expect(classesOfImages({ labels, classes: ['cat', 'dog', 'emu'] }, 3)).toEqual({ labels: labels.subarray(0, 3), names: ['cat', 'dog', 'emu'] });
  expect(classesOfImages({ labels })?.names).toEqual(['0', '1', '2']);
  expect(classesOfImages({ labels: new Uint8Array(4), classes: [] })).toBeUndefined();
});
