import { gateResult, gateResultWithClasses, pairedDifference, verdictOf } from './verdicts';

/** n per-image baseline values with a large spread, and a candidate = baseline + shift + small per-image jitter. */
function pairedSamples(n: number, shift: number, jitter: number, seed = 1): { baseline: Float64Array; candidate: Float64Array } {
  const normal = seededNormals(seed);
  const baseline = Float64Array.from({ length: n }, () => -156 + 40 * normal());
  const candidate = baseline.map((v) => v + shift + jitter * normal());
  return { baseline, candidate };
}

/** Standard normals from a seeded mulberry32 stream (Box–Muller); formats sits below @cvae/dataset's SeededRandom. */
function seededNormals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('pairedDifference', () => {
  it('Δ is the mean of candidate − baseline; pairing removes the image-to-image spread from its standard error', () => {
    const { baseline, candidate } = pairedSamples(2000, -0.64, 1.3);
    const d = pairedDifference(baseline, candidate);
    expect(d.delta).toBeCloseTo(-0.64, 1);
    expect(d.standardError).toBeCloseTo(1.3 / Math.sqrt(2000), 2);
    // The unpaired SE sees the 40-nat spread of the images: tens of times larger.
    expect(d.unpairedStandardError / d.standardError).toBeGreaterThan(30);
    expect(d.images).toBe(2000);
  });

  it('refuses unpaired lengths', () => {
    expect(() => pairedDifference([1, 2, 3], [1, 2])).toThrow(/same images: 3 baseline vs 2 candidate/);
  });
});

describe('verdictOf', () => {
  const gate = { margin: 0.5, noise: 0.001 };
  it.each([
    [{ delta: 0.0005, standardError: 0.0001 }, 'higher', 'unchanged'],
    [{ delta: -0.64, standardError: 0.03 }, 'higher', 'worse'],
    [{ delta: 0.64, standardError: 0.03 }, 'higher', 'better'],
    [{ delta: -0.64, standardError: 0.1 }, 'higher', 'changed within margin'], // 0.64 − 3·0.1 < 0.5: not significantly beyond δ
    [{ delta: 0.2, standardError: 0.01 }, 'higher', 'changed within margin'],
    [{ delta: 0.64, standardError: 0.03 }, 'lower', 'worse'],
    [{ delta: -3, standardError: 0.01 }, 'none', 'changed'],
    [{ delta: -0.3, standardError: 0.01 }, 'none', 'changed within margin'],
    [{ delta: NaN, standardError: NaN }, 'higher', 'worse'],
  ] as const)('%j, %s is better → %s', (difference, direction, expected) => {
    expect(verdictOf(difference, gate, direction)).toBe(expected);
  });
});

describe('gateResult', () => {
  it('names the numbers in one line, as the issue asked for', () => {
    const { baseline, candidate } = pairedSamples(2000, -0.64, 1.3);
    const result = gateResult('elbo', pairedDifference(baseline, candidate), { margin: 0.5, noise: 0.001 });
    expect(result.verdict).toBe('worse');
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/^ELBO −\d+\.\d\d → −\d+\.\d\d \(Δ −0\.6\d ± 0\.03 paired over 2,000 images\): worse than margin 0\.50$/);
  });

  it('fails on a floor even when the change is within margin, and says so', () => {
    const { baseline, candidate } = pairedSamples(500, -0.1, 0.2);
    const result = gateResult('elbo', pairedDifference(baseline, candidate), { margin: 0.5, noise: 0.001, floor: { min: -150 } });
    expect(result.verdict).toBe('changed within margin');
    expect(result.passed).toBe(false);
    expect(result.floorViolation).toMatch(/^ELBO −\d+\.\d\d is below the floor −150\.00$/);
    expect(result.message).toContain('; FLOOR: ELBO');
  });

  it('passes better and unchanged', () => {
    const better = pairedSamples(500, 2, 0.5);
    expect(gateResult('elbo', pairedDifference(better.baseline, better.candidate), { margin: 0.5, noise: 0.001 })).toMatchObject({ verdict: 'better', passed: true });
    const same = pairedSamples(500, 0, 0);
    expect(gateResult('reconstructionMse', pairedDifference(same.baseline, same.candidate), { margin: 0.0005, noise: 1e-6 })).toMatchObject({ verdict: 'unchanged', passed: true });
  });
});

describe('gateResultWithClasses', () => {
  /** 1,000 images of 10 classes (label = i mod 10); class `worse` shifted by `shift`, the others only jittered. */
  function oneClassWorse(shift: number, worse = 3) {
    const { baseline, candidate } = pairedSamples(1000, 0, 0.3);
    const labels = Uint8Array.from({ length: 1000 }, (_, i) => i % 10);
    const shifted = candidate.map((v, i) => v + (labels[i] === worse ? shift : 0));
    return { baseline, candidate: shifted, classes: { labels, names: Array.from({ length: 10 }, (_, l) => String(l)) } };
  }

  it('without perClass it is gateResult exactly, labels or not', () => {
    const { baseline, candidate, classes } = oneClassWorse(-8);
    const gate = { margin: 0.5, noise: 0.001, floor: { min: -400 } };
    expect(gateResultWithClasses('elbo', baseline, candidate, gate, 3, classes)).toEqual(gateResult('elbo', pairedDifference(baseline, candidate), gate));
  });

  it('a class 8 nats worse fails alone while the mean moves 0.8 — within a 1-nat margin overall', () => {
    const { baseline, candidate, classes } = oneClassWorse(-8);
    const result = gateResultWithClasses('elbo', baseline, candidate, { margin: 1, noise: 0.001, perClass: { margin: 2 } }, 3, classes);
    expect([result.verdict, result.passed]).toEqual(['changed within margin', false]);
    const failing = result.perClass?.classes.filter((c) => !c.passed);
    expect(failing?.map((c) => [c.name, c.verdict, c.worst])).toEqual([['3', 'worse', true]]);
    expect(result.perClass?.summary).toBe('ELBO per class (10 classes, margin 2.00): 1 failing (3)');
    expect(result.message).toMatch(/; PER CLASS: 3 failing$/);
    expect(failing?.[0].message).toMatch(/^class 3: ELBO −\d+\.\d\d → −\d+\.\d\d \(Δ −[78]\.\d\d ± 0\.\d\d paired over 100 images\): worse than margin 2\.00$/);
  });

  it('per-class floors by name take precedence over the floor for every class', () => {
    const { baseline, candidate, classes } = oneClassWorse(0);
    const perClass = { floor: { min: -1000 }, floors: { '7': { min: 0 } } };
    const result = gateResultWithClasses('elbo', baseline, candidate, { margin: 1, noise: 0.001, perClass }, 3, classes);
    expect(result.perClass?.classes.filter((c) => c.floorViolation !== undefined).map((c) => c.name)).toEqual(['7']);
    expect(result.perClass?.margin).toBe(1);
  });

  it('all passing: one summary line naming the worst class; a class with one image is not gated', () => {
    const { baseline, candidate, classes } = oneClassWorse(-0.5, 6);
    const labels = Uint8Array.from(classes.labels);
    labels[0] = 10;
    const result = gateResultWithClasses('elbo', baseline, candidate, { margin: 1, noise: 0.001, perClass: {} }, 3, { labels, names: classes.names });
    expect(result.passed).toBe(true);
    expect(result.perClass?.classes.map((c) => c.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(result.perClass?.summary).toMatch(/^ELBO per class \(10 classes, margin 1\.00\): all pass; worst 6: Δ −0\.\d+ ± 0\.\d+, changed within margin$/);
  });
});
