/**
 * The sanity anchors of sample quality (packages/evaluation/README.md, "Sample quality"): what FID,
 * class coverage and confidence read for sets whose quality we know. From the workspace root:
 *
 *   npx tsx --tsconfig tsconfig.base.json tools/sample-quality-anchors.ts [EPOCH1_CHECKPOINT] [--workers N] [--quick]
 *
 * --quick: only the test set's halves, training vs test images and the reference's samples and reconstructions.
 * KID (seed 0 per anchor), precision, density and coverage (k = 5) come from the same features as FID.
 *
 * EPOCH1_CHECKPOINT: the reference command stopped after one epoch (see the README for the command).
 * Prints one JSON line per anchor and a markdown table.
 */
import { loadSplit, SeededRandom, deriveSeed } from '@cvae/dataset';
import { remapDecoderLatent } from '../packages/evaluation/src/test-utils/classifier';
import { CLASSIFIER_TASKS, classifyOnThreads, defaultClassifierDir, loadClassifier, LoadedClassifier, SampleImages, ThreadedSource } from '@cvae/classifier';
import { DEFAULT_SAMPLE_IMAGES, fitGaussian, loadForEvaluation, PRIOR_SAMPLES_LABEL, qualityReference, QualityReference, setDistances, setQuality } from '@cvae/evaluation';
import { CVAE, loadCheckpoint } from '@cvae/model';
import { Replicas } from '@cvae/replicas';
import { initBackend } from '@cvae/tfjs-kernels';
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'os';

const SAMPLES = 10_000;
const SEED = 0;

interface Anchor {
  name: string;
  fid: number;
  minClassShare: number;
  minClass: number;
  entropy: number;
  meanConfidence: number;
  kid?: number;
  kidStd?: number;
  precision?: number;
  density?: number;
  coverage?: number;
  seconds: number;
}

/** KID (seed 0), precision, density and coverage against `reference`. */
function distancesOf(features: Float32Array, reference: QualityReference) {
  const d = setDistances(features, reference, 0);
  return { kid: d.kid, kidStd: d.kidStd, precision: d.precision, density: d.density, coverage: d.coverage };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const workersFlag = args.indexOf('--workers');
  const workers = workersFlag >= 0 ? Number(args[workersFlag + 1]) : 2;
  const epoch1 = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--workers');
  const quick = args.includes('--quick');
  await initBackend('wasm');
  const loaded = await loadClassifier(defaultClassifierDir());
  const reference = (await loadForEvaluation({ backend: 'wasm' })).model;
  const test = loadSplit('test');
  const train = loadSplit('train', { limit: 10_000 });
  const anchors: Anchor[] = [];
  const measure = async (name: string, model: CVAE, source: () => ThreadedSource, sampleImages: SampleImages = DEFAULT_SAMPLE_IMAGES) => {
    const started = Date.now();
    const replicas = Replicas.create(model, { threads: workers, tasks: CLASSIFIER_TASKS });
    try {
      const values = await classifyOnThreads(replicas, { classifier: loaded.classifier, weightsKey: loaded.ref.weights }, source(), { sampleImages });
      const q = setQuality(values, referenceFit, loaded.classifier.featureDim, 10);
      const anchor = { name, fid: q.fid, minClassShare: q.minClassShare, minClass: q.minClass, entropy: q.entropy, meanConfidence: q.meanConfidence, ...distancesOf(values.features, referenceSet), seconds: (Date.now() - started) / 1000 };
      anchors.push(anchor);
      console.log(JSON.stringify({ ...anchor, classShares: q.classShares }));
    } finally {
      await replicas.close();
    }
  };
  const prior = () => ({ kind: 'prior' as const, count: SAMPLES, random: new SeededRandom(deriveSeed(SEED, PRIOR_SAMPLES_LABEL)) });

  const referenceSet = qualityReference((await featuresOf(loaded, reference, { kind: 'images', images: test.images }, workers)).features, loaded.classifier.featureDim);
  const referenceFit = referenceSet.fit;
  if (!quick) await measure('test set against itself (10,000)', reference, () => ({ kind: 'images', images: test.images }));
  await measureHalves(loaded, reference, test.images, workers, anchors);
  await measure('training images 1–10,000 against the test set', reference, () => ({ kind: 'images', images: train.images }));
  await measure('reference (epoch 10): 10,000 prior samples', reference, prior);
  if (quick) await measure('reference (epoch 10): reconstructions of the test set', reference, () => ({ kind: 'recon', images: test.images }));
  if (!quick) await fullAnchors();
  printTable(anchors, workers, loaded);

  async function fullAnchors(): Promise<void> {
    await measure('reference (epoch 10): prior samples as pixel probabilities (not thresholded)', reference, prior, 'probabilities');
    await measure('reference (epoch 10): reconstructions of the test set', reference, () => ({ kind: 'recon', images: test.images }));
    await measure('reference (epoch 10): reconstructions as pixel probabilities (not thresholded)', reference, () => ({ kind: 'recon', images: test.images }), 'probabilities');
    if (epoch1 !== undefined) {
      const early = (await loadCheckpoint(epoch1)).model;
      await measure('reference after epoch 1: prior samples', early, prior);
      await measure('reference after epoch 1: reconstructions', early, () => ({ kind: 'recon', images: test.images }));
    }
    const noisy = (await loadForEvaluation({ backend: 'wasm' })).model;
    addDecoderWeightNoise(noisy, 0.03, 3);
    await measure('decoder with 3% weight noise: prior samples', noisy, prior);
    await measure('decoder with 3% weight noise: reconstructions', noisy, () => ({ kind: 'recon', images: test.images }));

    const shifted = (await loadForEvaluation({ backend: 'wasm' })).model;
    remapDecoderLatent(shifted, 0.9, [1.2, 0.3]);
    await measure('decoder_dense remapped (z ↦ 0.9·z + (1.2, 0.3)): prior samples', shifted, prior);
  }
}

function printTable(anchors: Anchor[], workers: number, loaded: LoadedClassifier): void {
  const load = os.loadavg().map((l) => l.toFixed(2)).join(', ');
  console.log(`\nload average ${load}; ${workers} threads; classifier ${loaded.ref.path} (${loaded.ref.weights.slice(0, 12)}…)\n`);
  console.log('| anchor | FID | KID ± SD | precision | density | coverage | smallest class share (class) | entropy (nats) | mean confidence | s |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const n = (v: number | undefined, digits = 3) => (v === undefined ? '–' : v.toFixed(digits));
  for (const a of anchors) {
    console.log(`| ${a.name} | ${a.fid.toFixed(2)} | ${n(a.kid, 4)} ± ${n(a.kidStd, 4)} | ${n(a.precision)} | ${n(a.density)} | ${n(a.coverage)} | ${(100 * a.minClassShare).toFixed(2)}% (${a.minClass}) | ${a.entropy.toFixed(3)} | ${a.meanConfidence.toFixed(3)} | ${a.seconds.toFixed(1)} |`);
  }
}

async function featuresOf(loaded: LoadedClassifier, model: CVAE, source: ThreadedSource, workers: number) {
  const replicas = Replicas.create(model, { threads: workers, tasks: CLASSIFIER_TASKS });
  try {
    return await classifyOnThreads(replicas, { classifier: loaded.classifier, weightsKey: loaded.ref.weights }, source, { sampleImages: 'probabilities' });
  } finally {
    await replicas.close();
  }
}

/** The finite-sample floor: the first 5,000 test images against the last 5,000. */
async function measureHalves(loaded: LoadedClassifier, model: CVAE, images: Float32Array, workers: number, anchors: Anchor[]): Promise<void> {
  const started = Date.now();
  const half = images.length / 2;
  const dim = loaded.classifier.featureDim;
  const [a, b] = [await featuresOf(loaded, model, { kind: 'images', images: images.slice(0, half) }, workers), await featuresOf(loaded, model, { kind: 'images', images: images.slice(half) }, workers)];
  const q = setQuality(a, fitGaussian(b.features, dim), dim, 10);
  const distances = distancesOf(a.features, qualityReference(b.features, dim));
  const anchor = { name: 'test images 1–5,000 against 5,001–10,000', fid: q.fid, minClassShare: q.minClassShare, minClass: q.minClass, entropy: q.entropy, meanConfidence: q.meanConfidence, ...distances, seconds: (Date.now() - started) / 1000 };
  anchors.push(anchor);
  console.log(JSON.stringify(anchor));
}

/** Seeded Gaussian noise of `scale`·RMS(kernel) on every decoder kernel, in place. */
function addDecoderWeightNoise(model: CVAE, scale: number, seed: number): void {
  for (const layer of model.decoder.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const [kernel, ...rest] = weights;
    const values = Float32Array.from(kernel.dataSync());
    const rms = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
    const noise = new SeededRandom(deriveSeed(seed, layer.name)).normals(values.length);
    layer.setWeights([tf.tensor(values.map((v, i) => v + scale * rms * noise[i]), kernel.shape), ...rest]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
