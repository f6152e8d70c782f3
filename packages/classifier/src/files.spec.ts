import '@cvae/tfjs-kernels';
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { datasetIdentity, loadSplit } from '@cvae/dataset';
import { ClassifierError, loadClassifier, manifestFor, saveClassifier } from './files';
import { Classifier, classifierArchitecture } from './network';
import { classifyImages } from './predict';
import { colourBlobSet } from './test-utils/colour-blobs';
import type { TrainedClassifier } from './train';

const test10 = loadSplit('test', { limit: 10 });
let dir: string;
let classifier: Classifier;

function trained(c: Classifier): TrainedClassifier {
  const config = { seed: 4, epochs: 1, batchSize: 8, learningRate: 1e-3, lrDecay: 0.75, maxShift: 2, workers: 1 };
  return { classifier: c, config, backend: 'cpu', tfjsVersion: tf.version_core, history: [{ epoch: 1, loss: 2.3, testAccuracy: 0.1, elapsedMs: 5 }], testAccuracy: 0.1, elapsedMs: 5 };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  classifier = Classifier.create({ seed: 4 });
});
afterAll(() => classifier.dispose());
beforeEach(async () => {
  dir = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'cvae-classifier-')), 'mnist');
  await saveClassifier(dir, classifier, manifestFor(trained(classifier), { train: test10, test: test10, command: 'npx cvae classifier train --test' }));
});

async function loadError(): Promise<string> {
  const error = await loadClassifier(dir).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ClassifierError);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  return message;
}

test('a saved classifier loads with the same outputs, its manifest and a reference naming its weights and dataset', async () => {
  const loaded = await loadClassifier(dir);
  expect(classifyImages(loaded.classifier, test10.images)).toEqual(classifyImages(classifier, test10.images));
  expect(loaded.manifest).toMatchObject({ formatVersion: 1, command: 'npx cvae classifier train --test', dataset: { source: 'embedded', trainImages: 10, testImages: 10 } });
  expect(loaded.ref.weights).toBe(loaded.manifest.files['weights.bin']);
  expect(loaded.ref.dataset).toEqual(datasetIdentity().files);
  expect((await fs.readdir(path.dirname(dir))).sort()).toEqual(['mnist']);
  loaded.classifier.dispose();
});

test('a changed weights file fails the load with one line naming the file', async () => {
  const file = path.join(dir, 'weights.bin');
  const bytes = await fs.readFile(file);
  bytes[100] ^= 1;
  await fs.writeFile(file, bytes);
  expect(await loadError()).toBe(`classifier ${dir}: weights.bin sha256 mismatch (file changed or corrupted)`);
});

test('a missing manifest, a malformed one and a foreign architecture are one line each', async () => {
  const manifestFile = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
  await fs.writeFile(manifestFile, JSON.stringify({ ...manifest, testAccuracy: 'high' }));
  expect(await loadError()).toMatch(/^classifier .*: .*manifest\.json: testAccuracy: .*number/);
  manifest.architecture.layers[0].filters = 16;
  await fs.writeFile(manifestFile, JSON.stringify(manifest));
  expect(await loadError()).toBe(`classifier ${dir}: manifest.json architecture is not this code's classifier for 28×28×1 images and 10 classes`);
  manifest.architecture = { ...classifierArchitecture([28, 28, 1], 10), inputShape: [28, 28, 2] };
  await fs.writeFile(manifestFile, JSON.stringify(manifest));
  expect(await loadError()).toBe(`classifier ${dir}: manifest.json architecture: input shape must be [height, width, channels] with channels 1 or 3, got [28, 28, 2]`);
  // This code's design for another shape, but not the network saved beside it.
  manifest.architecture = classifierArchitecture([32, 32, 3], 10);
  await fs.writeFile(manifestFile, JSON.stringify(manifest));
  expect(await loadError()).toMatch(new RegExp(`^classifier ${dir}: model.json network weights .* do not match the architecture's classifier_conv1/kernel\\[5,5,3,32\\]`));
  await fs.rm(manifestFile);
  expect(await loadError()).toBe(`classifier ${dir}: manifest.json is missing (not a classifier directory; train one with \`cvae classifier train\`)`);
});

test('an RGB classifier of 3 classes saves and loads with its architecture and the same outputs', async () => {
  const blobs = colourBlobSet('test', 12, 3);
  const rgb = Classifier.create({ seed: 6, architecture: classifierArchitecture([32, 32, 3], 3) });
  const rgbDir = path.join(path.dirname(dir), 'blobs');
  await saveClassifier(rgbDir, rgb, manifestFor(trained(rgb), { train: blobs, test: blobs, command: 'rgb' }));
  const loaded = await loadClassifier(rgbDir);
  expect(loaded.classifier.architecture).toEqual(classifierArchitecture([32, 32, 3], 3));
  expect(loaded.manifest).toMatchObject({ binarization: 'none', architecture: { inputShape: [32, 32, 3], classes: 3 } });
  const [ours, theirs] = [classifyImages(loaded.classifier, blobs.images), classifyImages(rgb, blobs.images)];
  expect(ours).toEqual(theirs);
  expect(ours.probabilities.length).toBe(12 * 3);
  [rgb, loaded.classifier].forEach((c) => c.dispose());
});

test('saving again replaces the directory whole', async () => {
  const other = Classifier.create({ seed: 5 });
  await saveClassifier(dir, other, manifestFor(trained(other), { train: test10, test: test10, command: 'second' }));
  const loaded = await loadClassifier(dir);
  expect(loaded.manifest.command).toBe('second');
  expect(loaded.classifier.getFlatWeights()).toEqual(other.getFlatWeights());
  expect((await fs.readdir(path.dirname(dir))).sort()).toEqual(['mnist']);
  [other, loaded.classifier].forEach((c) => c.dispose());
});
