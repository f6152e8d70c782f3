/**
 * @jest-environment jsdom
 *
 * The renderer on its own (the e2e suite opens real reports in Chromium): what a reviewer reads —
 * verdict, gate numbers, quality bounds, images — and that text from report.json is only ever text.
 */
import { GoldenReportSchema, type GoldenReport } from '@cvae/formats';
import { renderReport, renderStaticReport } from './index';

const HASH = 'a'.repeat(64);
const FILES = { 'train-images': HASH, 'train-labels': HASH, 'test-images': HASH, 'test-labels': HASH };
const HOSTILE = '<img src=x onerror="window.__pwned=1">';

function quality(fid: number, minClassShare: number) {
  const shares = Array.from({ length: 10 }, (_, digit) => (digit === 7 ? minClassShare : (1 - minClassShare) / 9));
  return { images: 1000, fid, classShares: shares, entropy: 2.2, minClassShare, minClass: 7, meanConfidence: 0.95 };
}

function report(): GoldenReport {
  return GoldenReportSchema.parse({
    formatVersion: 3,
    createdAt: '2026-11-30T06:00:00.000Z',
    passed: false,
    suite: { name: `mine ${HOSTILE}`, dir: 'suites/mine' },
    checkpoint: { path: 'runs/mine/checkpoints/last', weights: { 'decoder/weights.bin': HASH, 'encoder/weights.bin': HASH } },
    dataset: { source: 'directory', location: '/data/fashion', files: FILES, shortHash: 'abcdef012345' },
    backend: 'wasm',
    kernels: 'conv.wasm simd128-fma',
    goldensDir: '../../suites/mine',
    counts: { pass: 1, fail: 1, missing: 0, 'size-mismatch': 0 },
    comparisons: [
      comparison('prior', 'pass', 'prior matches (0 px differ)'),
      comparison('manifold', 'fail', `manifold: 12 px differ ${HOSTILE}`),
    ],
    gates: [
      gate('elbo', 'ELBO', true, 'unchanged', 'ELBO −156.46 → −156.46 (Δ +0.000001 ± 0.000001 paired over 2,000 images): unchanged'),
      { ...gate('reconstructionMse', 'reconstruction MSE', false, 'worse', 'reconstruction MSE 0.0410 → 0.0500 (Δ +0.0090 ± 0.0002 paired over 2,000 images): worse than margin 0.0020'), perClass: PER_CLASS },
    ],
    quality: {
      result: {
        formatVersion: 1,
        classifier: { path: 'classifiers/mnist', weights: HASH, dataset: FILES },
        backend: 'wasm',
        seed: 11,
        sampleImages: 'binarized',
        testImages: 2000,
        samples: { ...quality(82.2, 0.022), kid: 0.0213, kidStd: 0.0011, kidSubsets: 100, kidSubsetSize: 1000, precision: 0.71, density: 0.64, coverage: 0.583 },
        reconstructions: quality(80.1, 0.09),
        elapsedMs: 1000,
        phaseMs: { testSet: 300, samples: 400, reconstructions: 300 },
      },
      bounds: { samples: { maxFid: 120, minClassShare: 0.005, maxKid: 0.05, minCoverage: 0.5 } },
      violations: [],
      passed: true,
    },
    obsolete: [
      { name: 'digit_7', failed: true, message: 'golden digit_7: OBSOLETE, FAIL (CI mode): no image of suite.json produces it' },
      { name: 'digit_9', failed: false, message: 'golden digit_9: OBSOLETE, reported (fails under --ci)' },
    ],
  });
}

function comparison(name: string, status: 'pass' | 'fail', message: string) {
  const failed = status !== 'pass';
  return {
    name, status, message, kind: 'prior', seed: 7, grid: 4, width: 112, height: 112, expectedWidth: 112, expectedHeight: 112,
    diffPixels: failed ? 12 : 0, diffRatio: failed ? 12 / 12544 : 0, maxDelta: failed ? 4 : 0,
    thresholds: { threshold: 0.01, maxDiffPixels: 0 },
    expected: `${name}/expected.png`, actual: failed ? `${name}/actual.png` : null, diff: failed ? `${name}/diff.png` : null, result: failed ? `${name}/result.json` : null,
  };
}

function gate(metric: string, label: string, passed: boolean, verdict: string, message: string) {
  return {
    metric, label, unit: 'nats', direction: metric === 'elbo' ? 'higher' : 'lower',
    baseline: { mean: 1, standardError: 0.1 }, candidate: { mean: 1.5, standardError: 0.1 },
    paired: { delta: 0.5, standardError: 0.01, images: 2000 }, unpairedStandardError: 0.14,
    verdict, margin: 0.5, noise: 0.0001, floor: { min: -160 }, passed, message,
  };
}

/** Two classes of the MSE gate: 3 failing (the worst, with a hostile name's neighbour), 7 within margin. */
const PER_CLASS = {
  margin: 0.001,
  passed: false,
  summary: 'reconstruction MSE per class (2 classes, margin 0.00100): 1 failing (3)',
  classes: [
    classGate(3, false, true, 'worse', 'class 3: reconstruction MSE 0.07288 → 0.07786 (Δ +0.00498 ± 0.00053 paired over 107 images): worse than margin 0.00100'),
    classGate(7, true, false, 'changed within margin', `class 7: … ${HOSTILE}`),
  ],
};

function classGate(label: number, passed: boolean, worst: boolean, verdict: string, message: string) {
  return {
    label, name: String(label), baseline: { mean: 0.07288, standardError: 0.002 }, candidate: { mean: 0.07786, standardError: 0.002 },
    paired: { delta: 0.00498, standardError: 0.00053, images: 107 }, verdict, margin: 0.001, floor: { max: 0.0765 },
    ...(passed ? {} : { floorViolation: 'reconstruction MSE 0.07786 is above the floor 0.07650' }), passed, worst, message,
  };
}

function rendered(render: (root: HTMLElement, r: GoldenReport) => void = renderStaticReport): HTMLElement {
  document.body.replaceChildren();
  const root = document.createElement('main');
  document.body.append(root);
  render(root, report());
  return root;
}

describe('renderReport', () => {
  it('leads with the verdict and what failed', () => {
    const root = rendered();
    expect(root.querySelector('[data-testid="report-verdict"]')?.textContent).toBe('FAIL');
    expect(root.querySelector('.summary')?.textContent).toBe('2 images, 1 failing · 2 gates, 1 failing · sample quality pass · 2 obsolete, 1 failing');
  });

  it('lists obsolete goldens with the others: failed in CI mode, else only reported', () => {
    const root = rendered();
    const failed = root.querySelector('article.obsolete[data-name="digit_7"]');
    expect(failed?.className).toBe('comparison obsolete fail');
    expect(failed?.querySelector('.badge')?.textContent).toBe('obsolete, failed');
    expect(failed?.querySelector('.numbers')?.textContent).toContain('FAIL (CI mode)');
    expect(root.querySelector('article.obsolete[data-name="digit_9"] .badge')?.className).toBe('badge obsolete');
    const choose = (value: string) => {
      const filter = root.querySelector('[data-testid="filter"]') as HTMLSelectElement;
      filter.value = value;
      filter.dispatchEvent(new Event('change'));
    };
    try {
      choose('fail');
      expect([...root.querySelectorAll('article')].map((a) => a.getAttribute('data-name'))).toEqual(['manifold', 'digit_7']);
    } finally {
      choose('all'); // the filter is kept across renders
    }
  });

  it('gives each gate its paired numbers, verdict and one-line message', () => {
    const root = rendered();
    const worse = root.querySelector('tr[data-gate="reconstructionMse"]');
    expect(worse?.className).toBe('fail');
    expect(worse?.querySelector('.badge')?.textContent).toBe('worse');
    expect(worse?.textContent).toContain('+0.5000 ± 0.010000 (2000)');
    expect(worse?.querySelector('.message')?.textContent).toContain('worse than margin 0.0020');
    expect(root.querySelector('tr[data-gate="elbo"]')?.className).toBe('pass');
  });

  it('puts a per-class table under a gate that has one, the worst class highlighted, its message as the title', () => {
    const root = rendered();
    expect(root.querySelector('tr[data-per-class="elbo"]')).toBeNull();
    const table = root.querySelector('tr[data-per-class="reconstructionMse"]');
    expect(table?.previousElementSibling?.getAttribute('data-gate')).toBe('reconstructionMse');
    expect(table?.querySelector('.summary')?.textContent).toBe('reconstruction MSE per class (2 classes, margin 0.00100): 1 failing (3)');
    const three = table?.querySelector('tr[data-class="3"]');
    expect(three?.className).toBe('fail worst');
    expect(three?.textContent).toBe('3worst1070.0728800.077860+0.004980 ± 0.000530worsereconstruction MSE 0.07786 is above the floor 0.07650');
    expect(table?.querySelector('tr[data-class="7"]')?.className).toBe('pass');
    expect(table?.querySelector('tr[data-class="7"] td:last-child')?.textContent).toBe('≤ 0.0765');
    expect(table?.querySelector('tr[data-class="7"]')?.getAttribute('title')).toContain(HOSTILE);
  });

  it('shows the sample-quality measurements beside their bounds', () => {
    const row = rendered().querySelector('tr[data-quality="prior samples"]');
    expect(row?.textContent).toContain('82.2 (≤ 120)');
    expect(row?.textContent).toContain('7: 2.2% (≥ 0.5%)');
    expect(row?.textContent).toContain('0.0213 ± 0.0011 (≤ 0.05)');
    expect(row?.textContent).toContain('0.583 (≥ 0.5)');
  });

  it('shows a dash for KID, density and coverage in a result from before they were measured', () => {
    const cells = [...(rendered().querySelector('tr[data-quality="reconstructions"]')?.querySelectorAll('td') ?? [])].map((td) => td.textContent);
    expect(cells.slice(6, 9)).toEqual(['–', '–', '–']);
  });

  it('loads expected, actual and diff from the paths report.json names, relative to the report', () => {
    const images = [...rendered().querySelectorAll('article[data-name="manifold"] img')].map((img) => img.getAttribute('src'));
    expect(images).toEqual(['manifold/expected.png', 'manifold/actual.png', 'manifold/diff.png']);
  });

  it('renders strings from report.json as text, never as markup', () => {
    const root = rendered();
    expect(root.querySelector('h1')?.textContent).toContain(HOSTILE);
    expect(root.querySelector('article[data-name="manifold"] .numbers')?.textContent).toContain(HOSTILE);
    expect(root.querySelectorAll('img[onerror]')).toHaveLength(0);
    expect(root.querySelectorAll('img[src="x"]')).toHaveLength(0);
  });

  it('offers Accept only where the host gives it, and only for a failing image', () => {
    expect(rendered().querySelectorAll('button.accept')).toHaveLength(0);
    const accepted: string[] = [];
    const root = rendered((r, rep) => renderReport(r, rep, { imageUrl: (p) => `/files/${p}`, accept: async (name) => void accepted.push(name) }));
    expect([...root.querySelectorAll('button.accept')].map((b) => b.getAttribute('data-testid'))).toEqual(['accept-manifold']);
    expect(root.querySelector('article[data-name="prior"] img')?.getAttribute('src')).toBe('/files/prior/expected.png');
  });
});
