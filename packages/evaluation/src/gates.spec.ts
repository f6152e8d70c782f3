import { loadSplit } from '@cvae/dataset';
import { checkGates, deriveGates, Gates, readGates } from './gates';
import { LoadedForEvaluation, loadForEvaluation } from './load';
import { evaluateModel, Metrics } from './metrics';
import { sameWeights } from './provenance';
import { referenceCheckpoint, shiftDecoderBias } from './test-utils/reference';

const estimate = (mean: number, standardError: number) => ({ mean, standardError });
const fakeMetrics = (elbo: number, mse: number, kl: number): Metrics => ({
  images: 2000, seed: 0, elbo: estimate(elbo, 0.5), kl: estimate(kl, 0.02), reconstructionMse: estimate(mse, 0.0002),
  reconstructionCrossEntropy: estimate(-elbo - kl, 0.5), elapsedMs: 1,
});
const source = { checkpoint: { path: 'runs/x', weights: {} }, backend: 'wasm' };

describe('deriveGates / checkGates', () => {
  const gates = deriveGates(fakeMetrics(-160, 0.05, 5), source, 3);

  test('margins are k standard errors of the measurement', () => {
    expect(gates.elbo.min).toBeCloseTo(-161.5, 10);
    expect(gates.reconstructionMse.max).toBeCloseTo(0.0506, 10);
    expect(gates.kl.low).toBeCloseTo(4.94, 10);
    expect(gates.kl.high).toBeCloseTo(5.06, 10);
    expect(gates.note).toContain('k = 3');
  });

  test('the measured model passes its own gates', () => {
    expect(checkGates(fakeMetrics(-160, 0.05, 5), gates)).toEqual([]);
  });

  test('each gate fails on its own, naming the numbers', () => {
    expect(checkGates(fakeMetrics(-170, 0.05, 5), gates)).toEqual([{ gate: 'elbo', message: 'ELBO -170.0000 < min -161.5000' }]);
    expect(checkGates(fakeMetrics(-160, 0.06, 5), gates).map((v) => v.gate)).toEqual(['reconstructionMse']);
    expect(checkGates(fakeMetrics(-160, 0.05, 0.1), gates)[0].message).toBe('KL 0.1000 outside [4.9400, 5.0600]'); // posterior collapse
    expect(checkGates(fakeMetrics(-160, 0.05, 9), gates).map((v) => v.gate)).toEqual(['kl']);
    expect(checkGates(fakeMetrics(NaN, NaN, NaN), gates)).toHaveLength(3);
  });
});

// The quality gates proper: the committed reference model against the committed gates.json.
describe('quality gates on the reference checkpoint', () => {
  let loaded: LoadedForEvaluation;
  let gates: Gates;

  beforeAll(async () => {
    loaded = await loadForEvaluation({ checkpoint: referenceCheckpoint() });
    gates = await readGates();
  }, 60_000);
  afterAll(() => loaded?.model.dispose());

  const measurementSet = () => loadSplit('test', { limit: gates.measurement.images });

  test('gates.json was measured on this checkpoint', () => {
    expect(sameWeights(gates.measurement.checkpoint, loaded.checkpoint)).toBe(true);
  });

  test('ELBO, reconstruction MSE and KL are within the gates', async () => {
    const metrics = await evaluateModel(loaded.model, measurementSet(), { seed: gates.measurement.seed });
    expect(checkGates(metrics, gates)).toEqual([]);
  }, 60_000);

  test('the gates bite: shifting the decoder output bias by −3 fails the ELBO and MSE gates', async () => {
    shiftDecoderBias(loaded.model, 'decoder_logits', -3);
    try {
      const metrics = await evaluateModel(loaded.model, measurementSet(), { seed: gates.measurement.seed });
      const failed = checkGates(metrics, gates).map((v) => v.gate);
      expect(failed).toEqual(expect.arrayContaining(['elbo', 'reconstructionMse']));
    } finally {
      shiftDecoderBias(loaded.model, 'decoder_logits', 3);
    }
  }, 60_000);
});
