/**
 * Renders a suite check's report.json (@cvae/formats' GoldenReport) into the page: the verdict and its
 * provenance (suite, checkpoint, dataset, backend), the metric gates with their paired numbers, and per
 * image the expected, actual and diff pictures in three modes — side by side, a slider over the two,
 * and blink — with integer zoom down to single pixels. Framework-free DOM code; the static report
 * (file://) and the viewer's review page both call it, with their own image URLs.
 */
import type { ClassGateResult, GateResult, GoldenReport, ImageSetQuality, ObsoleteGolden, QualityGateResult, ReportEntry, SetQualityBounds } from '@cvae/formats';

export type Mode = 'side-by-side' | 'slider' | 'blink';
export const MODES: readonly Mode[] = ['side-by-side', 'slider', 'blink'];
const ZOOMS = [1, 2, 4, 8, 16];
const BLINK_MS = 500;

export interface RenderOptions {
  /** The URL of a path of report.json (relative to the report directory); null when not served. */
  imageUrl: (relativePath: string) => string | null;
  /** When given, failing images get an Accept button that calls it (the viewer, with --allow-accept). */
  accept?: (name: string) => Promise<void>;
  /** Names accepted since the report was written (the viewer shows them as such). */
  acceptedSinceReport?: ReadonlySet<string>;
}

/** Keeps the reviewer's choices across re-renders. */
const state = { mode: 'side-by-side' as Mode, zoom: 1, filter: 'all' as 'all' | 'pass' | 'fail' };
const timers = new Set<number>();

/** The static report: images are the files beside index.html. */
export function renderStaticReport(root: HTMLElement, report: GoldenReport): void {
  renderReport(root, report, { imageUrl: (relativePath) => relativePath });
}

export function renderReport(root: HTMLElement, report: GoldenReport, options: RenderOptions): void {
  timers.forEach((id) => window.clearInterval(id));
  timers.clear();
  root.replaceChildren(header(report), gatesSection(report.gates), qualitySection(report.quality), toolbar(() => renderReport(root, report, options)), comparisons(report, options));
  root.classList.add('cvae-report');
}

function header(report: GoldenReport): HTMLElement {
  const failingImages = report.comparisons.filter((c) => c.status !== 'pass').length;
  const failingGates = report.gates.filter((g) => !g.passed).length;
  const failingObsolete = report.obsolete.filter((o) => o.failed).length;
  const dataset = `${report.dataset.source === 'embedded' ? `embedded ${report.dataset.location}` : report.dataset.location} (${report.dataset.shortHash})`;
  return h(
    'header',
    { class: 'report-header' },
    h('h1', {}, `Suite ${report.suite.name}: `, h('span', { class: `verdict ${report.passed ? 'pass' : 'fail'}`, 'data-testid': 'report-verdict' }, report.passed ? 'PASS' : 'FAIL')),
    h('p', { class: 'summary' }, `${report.comparisons.length} images, ${failingImages} failing · ${report.gates.length} gates, ${failingGates} failing${report.quality ? ` · sample quality ${report.quality.passed ? 'pass' : 'FAIL'}` : ''} · ${report.obsolete.length} obsolete${failingObsolete > 0 ? `, ${failingObsolete} failing` : ''}`),
    h(
      'dl',
      { class: 'provenance' },
      ...fact('checkpoint', `${report.checkpoint.path} (decoder ${short(report.checkpoint.weights['decoder/weights.bin'])}, encoder ${short(report.checkpoint.weights['encoder/weights.bin'])})`),
      ...fact('dataset', dataset),
      ...modelFacts(report.model),
      ...fact('backend', `${report.backend} (${report.kernels})`),
      ...fact('suite', report.suite.dir),
      ...fact('made', report.createdAt),
    ),
  );
}

/** The candidate's model; beside it the suite's and what changed when the architecture differs. */
function modelFacts(model: GoldenReport['model']): HTMLElement[] {
  if (model === undefined) return [];
  if (model.difference === null) return fact('model', model.candidate);
  const pairing = model.pairing === 'eps' ? 'gates paired on the same eps draws' : 'gates paired on images only (other latent size)';
  return [...fact('model', `${model.candidate} — another architecture than the suite's: ${model.difference}; ${pairing}`), ...fact('suite model', model.baseline ?? 'unknown')];
}

/** The sample-quality gate: FID, class coverage, entropy, confidence, KID, density and coverage of the samples and reconstructions against their bounds. */
function qualitySection(quality: QualityGateResult | undefined): HTMLElement {
  if (quality === undefined) return h('section', { class: 'quality empty' });
  const { result, bounds } = quality;
  const cell = (text: string, bound: string | null) => h('td', { class: 'num' }, text, bound === null ? null : h('span', { class: 'bound' }, ` (${bound})`));
  const row = (name: string, q: ImageSetQuality, b: SetQualityBounds = {}) =>
    h(
      'tr',
      { 'data-quality': name },
      h('td', {}, name),
      cell(q.images.toLocaleString('en-US'), null),
      cell(q.fid.toFixed(1), b.maxFid === undefined ? null : `≤ ${b.maxFid}`),
      cell(`${q.minClass}: ${percent(q.minClassShare)}`, b.minClassShare === undefined ? null : `≥ ${percent(b.minClassShare)}`),
      cell(q.entropy.toFixed(3), b.minEntropy === undefined ? null : `≥ ${b.minEntropy}`),
      cell(q.meanConfidence.toFixed(3), b.minMeanConfidence === undefined ? null : `≥ ${b.minMeanConfidence}`),
      cell(q.kid === undefined ? '–' : `${q.kid.toFixed(4)} ± ${(q.kidStd ?? 0).toFixed(4)}`, b.maxKid === undefined ? null : `≤ ${b.maxKid}`),
      cell(q.density === undefined ? '–' : q.density.toFixed(3), b.minDensity === undefined ? null : `≥ ${b.minDensity}`),
      cell(q.coverage === undefined ? '–' : q.coverage.toFixed(3), b.minCoverage === undefined ? null : `≥ ${b.minCoverage}`),
      h('td', { class: 'shares' }, q.classShares.map((share, digit) => `${digit}:${percent(share)}`).join(' ')),
    );
  const head = h('tr', {}, ...['set', 'images', 'FID', 'smallest class', 'entropy (nats)', 'confidence', 'KID ± SD', 'density', 'coverage', 'class shares'].map((t) => h('th', {}, t)));
  return h(
    'section',
    { class: `quality ${quality.passed ? 'pass' : 'fail'}`, 'data-testid': 'quality' },
    h('h2', {}, 'Sample quality ', h('span', { class: `badge ${quality.passed ? 'pass' : 'fail'}` }, quality.passed ? 'pass' : 'FAIL')),
    h('p', { class: 'recipe' }, `classifier ${result.classifier.path} (${short(result.classifier.weights)}) · prior seed ${result.seed} · FID against ${result.testImages.toLocaleString('en-US')} test images`),
    h('table', {}, h('thead', {}, head), h('tbody', {}, row('prior samples', result.samples, bounds.samples), row('reconstructions', result.reconstructions, bounds.reconstructions))),
    quality.violations.length === 0 ? null : h('ul', { class: 'violations' }, ...quality.violations.map((v) => h('li', {}, v))),
  );
}

function percent(share: number): string {
  return `${(100 * share).toFixed(1)}%`;
}

function gatesSection(gates: GateResult[]): HTMLElement {
  if (gates.length === 0) return h('section', { class: 'gates empty' }, h('p', {}, 'No metric gates in this report (pixels only).'));
  const head = h('tr', {}, ...['gate', 'baseline', 'candidate', 'Δ paired ± SE', 'unpaired SE', 'verdict', 'floor', ''].map((t) => h('th', {}, t)));
  const rows = gates.flatMap((g) => [
    h(
      'tr',
      { 'data-gate': g.metric, class: g.passed ? 'pass' : 'fail' },
      h('td', {}, g.label),
      h('td', { class: 'num' }, g.baseline ? `${num(g.baseline.mean)} ± ${num(g.baseline.standardError)}` : '—'),
      h('td', { class: 'num' }, `${num(g.candidate.mean)} ± ${num(g.candidate.standardError)}`),
      h('td', { class: 'num' }, g.paired ? `${signed(g.paired.delta)} ± ${num(g.paired.standardError)} (${g.paired.images})` : '—'),
      h('td', { class: 'num' }, g.unpairedStandardError === null ? '—' : num(g.unpairedStandardError)),
      h('td', {}, h('span', { class: `badge ${g.passed ? 'pass' : 'fail'}` }, g.verdict ?? 'no baseline')),
      h('td', {}, floorText(g)),
      h('td', { class: 'message' }, g.message),
    ),
    g.perClass ? h('tr', { class: 'per-class-row', 'data-per-class': g.metric }, h('td', { colspan: '8' }, perClassTable(g))) : null,
  ].filter((row): row is HTMLElement => row !== null));
  return h('section', { class: 'gates' }, h('h2', {}, 'Metric gates'), h('table', {}, h('thead', {}, head), h('tbody', {}, ...rows)));
}

/** A gate's classes, one row each, the worst highlighted; the summary line above. */
function perClassTable(g: GateResult): HTMLElement {
  const perClass = g.perClass;
  if (perClass === undefined) return h('div', {});
  const head = h('tr', {}, ...['class', 'images', 'baseline', 'candidate', 'Δ paired ± SE', 'verdict', 'floor'].map((t) => h('th', {}, t)));
  const row = (c: ClassGateResult) =>
    h(
      'tr',
      { 'data-class': c.name, class: `${c.passed ? 'pass' : 'fail'}${c.worst ? ' worst' : ''}`, title: c.message },
      h('td', {}, c.name, c.worst ? h('span', { class: 'badge worst' }, 'worst') : null),
      h('td', { class: 'num' }, String(c.paired.images)),
      h('td', { class: 'num' }, num(c.baseline.mean)),
      h('td', { class: 'num' }, num(c.candidate.mean)),
      h('td', { class: 'num' }, `${signed(c.paired.delta)} ± ${num(c.paired.standardError)}`),
      h('td', {}, h('span', { class: `badge ${c.passed ? 'pass' : 'fail'}` }, c.verdict)),
      h('td', {}, floorText(c)),
    );
  return h('div', { class: 'per-class' }, h('p', { class: 'summary' }, perClass.summary), h('table', {}, h('thead', {}, head), h('tbody', {}, ...perClass.classes.map(row))));
}

function toolbar(rerender: () => void): HTMLElement {
  const select = <T extends string>(label: string, values: readonly T[], current: T, set: (v: T) => void, testid: string) =>
    h('label', {}, `${label} `, h('select', { 'data-testid': testid, onchange: (e: Event) => { set((e.target as HTMLSelectElement).value as T); rerender(); } }, ...values.map((v) => h('option', { value: v, selected: v === current }, v))));
  return h(
    'nav',
    { class: 'toolbar' },
    select('show', ['all', 'fail', 'pass'] as const, state.filter, (v) => (state.filter = v), 'filter'),
    select('mode', MODES, state.mode, (v) => (state.mode = v), 'mode'),
    select('zoom', ZOOMS.map(String), String(state.zoom), (v) => (state.zoom = Number(v)), 'zoom'),
  );
}

function comparisons(report: GoldenReport, options: RenderOptions): HTMLElement {
  const shown = report.comparisons.filter((c) => state.filter === 'all' || (state.filter === 'pass') === (c.status === 'pass'));
  // An obsolete golden is never a pass: listed under "fail" when it failed (CI mode), else only under "all".
  const obsolete = report.obsolete.filter((o) => state.filter === 'all' || (state.filter === 'fail' && o.failed));
  return h('section', { class: 'comparisons' }, ...shown.map((c) => comparisonCard(c, options)), ...obsolete.map(obsoleteCard));
}

/** A golden no image of suite.json produces any more, in the list with the others: failed in CI mode, else reported. */
function obsoleteCard(entry: ObsoleteGolden): HTMLElement {
  return h(
    'article',
    { class: `comparison obsolete ${entry.failed ? 'fail' : 'reported'}`, 'data-name': entry.name },
    h('h3', {}, entry.name, ' ', h('span', { class: `badge ${entry.failed ? 'fail' : 'obsolete'}` }, entry.failed ? 'obsolete, failed' : 'obsolete')),
    h('p', { class: 'numbers' }, entry.message),
  );
}

function comparisonCard(entry: ReportEntry, options: RenderOptions): HTMLElement {
  const url = (p: string | null) => (p === null ? null : options.imageUrl(p));
  const accepted = options.acceptedSinceReport?.has(entry.name) === true;
  return h(
    'article',
    { class: `comparison ${entry.status === 'pass' ? 'pass' : 'fail'}`, 'data-name': entry.name },
    h('h3', {}, entry.name, ' ', h('span', { class: `badge ${entry.status === 'pass' ? 'pass' : 'fail'}` }, entry.status), accepted ? h('span', { class: 'badge accepted' }, 'accepted') : null),
    h('p', { class: 'recipe' }, `${entry.kind}, seed ${entry.seed}, grid ${entry.grid} · ${entry.width}×${entry.height} · tolerance ${entry.thresholds.threshold} (${entry.thresholds.maxDiffPixels} px)`),
    h('p', { class: 'numbers' }, entry.message),
    pictures(url(entry.expected), url(entry.actual), url(entry.diff)),
    options.accept && entry.status !== 'pass' && entry.actual !== null && !accepted ? acceptButton(entry.name, options.accept) : null,
  );
}

function pictures(expected: string | null, actual: string | null, diff: string | null): HTMLElement {
  if (state.mode === 'slider' && expected && actual) return slider(expected, actual);
  if (state.mode === 'blink' && expected && actual) return blink(expected, actual);
  return h('div', { class: 'side-by-side' }, figure('expected', expected), figure('actual', actual), figure('diff', diff));
}

function figure(caption: string, src: string | null): HTMLElement {
  const body = src ? zoomed(h('img', { src, alt: caption, 'data-image': caption }) as HTMLImageElement) : h('div', { class: 'no-image' }, 'none');
  return h('figure', {}, body, h('figcaption', {}, caption));
}

/** The actual image over the expected one, cut at the slider's position. */
function slider(expected: string, actual: string): HTMLElement {
  const top = zoomed(h('img', { src: actual, alt: 'actual', 'data-image': 'actual' }) as HTMLImageElement);
  const cover = h('div', { class: 'slider-top', style: 'clip-path: inset(0 50% 0 0)' }, top);
  const range = h('input', { type: 'range', min: '0', max: '100', value: '50', 'data-testid': 'slider', oninput: (e: Event) => cover.setAttribute('style', `clip-path: inset(0 ${100 - Number((e.target as HTMLInputElement).value)}% 0 0)`) });
  return h('div', { class: 'slider' }, h('div', { class: 'slider-stack' }, zoomed(h('img', { src: expected, alt: 'expected', 'data-image': 'expected' }) as HTMLImageElement), cover), range, h('p', { class: 'hint' }, 'left: actual · right: expected'));
}

/** Expected and actual alternating in place, so a moved stroke jumps. */
function blink(expected: string, actual: string): HTMLElement {
  const image = zoomed(h('img', { src: expected, alt: 'expected', 'data-image': 'blink' }) as HTMLImageElement);
  const label = h('span', { class: 'blink-label', 'data-testid': 'blink-label' }, 'expected');
  let showingExpected = true;
  timers.add(
    window.setInterval(() => {
      showingExpected = !showingExpected;
      image.setAttribute('src', showingExpected ? expected : actual);
      label.textContent = showingExpected ? 'expected' : 'actual';
    }, BLINK_MS),
  );
  return h('div', { class: 'blink' }, image, label);
}

/** Integer zoom without smoothing, so single pixels stay single, sharp squares. */
function zoomed(image: HTMLImageElement): HTMLImageElement {
  image.classList.add('pixelated');
  const apply = () => {
    if (image.naturalWidth > 0) image.style.width = `${image.naturalWidth * state.zoom}px`;
  };
  image.addEventListener('load', apply);
  apply();
  return image;
}

function acceptButton(name: string, accept: (name: string) => Promise<void>): HTMLElement {
  const status = h('span', { class: 'accept-status', role: 'status' });
  const button = h(
    'button',
    {
      type: 'button',
      class: 'accept',
      'data-testid': `accept-${name}`,
      onclick: async () => {
        if (!window.confirm(`Replace the golden "${name}" with the actual image?`)) return;
        button.setAttribute('disabled', '');
        try {
          await accept(name);
          status.textContent = 'Accepted.';
        } catch (error) {
          status.textContent = `Accept failed: ${(error as Error).message}`;
          button.removeAttribute('disabled');
        }
      },
    },
    'Accept actual as golden',
  );
  return h('div', { class: 'accept-row' }, button, status);
}

function floorText(g: Pick<GateResult, 'floor' | 'floorViolation'>): string {
  if (g.floorViolation) return g.floorViolation;
  if (!g.floor) return '—';
  return [g.floor.min === undefined ? null : `≥ ${g.floor.min}`, g.floor.max === undefined ? null : `≤ ${g.floor.max}`].filter(Boolean).join(', ');
}

function fact(term: string, description: string): HTMLElement[] {
  return [h('dt', {}, term), h('dd', {}, description)];
}

function short(hash: string | undefined): string {
  return hash === undefined ? '?' : `${hash.slice(0, 12)}…`;
}

function num(value: number): string {
  const digits = Math.abs(value) >= 10 ? 2 : Math.abs(value) >= 0.1 ? 4 : 6;
  return value.toFixed(digits).replace(/^-/, '−');
}

function signed(value: number): string {
  return value < 0 ? num(value) : `+${num(value)}`;
}

type Child = Node | string | null | undefined | false;

/** A tiny createElement: attributes, `on*` listeners, children (falsy ones skipped). */
export function h(tag: string, attributes: Record<string, unknown>, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value as EventListener);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== undefined && value !== null) element.setAttribute(name, String(value));
  }
  for (const child of children) if (child) element.append(child);
  return element;
}
