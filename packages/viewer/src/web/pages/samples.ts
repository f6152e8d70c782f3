import type { GoldenReport, RunSummary, SuiteSummary } from '../../shared/api-types';
import { fetchRuns, fetchSuiteReport, fetchSuites, reportFileUrl } from '../api';
import { h } from '../dom';
import { followRuns } from '../live';
import { livenessBadge, progressLine } from '../progress';
import type { Page } from './page';

const PLAY_INTERVAL_MS = 500;

/**
 * A run's sample grids by epoch (optionally beside a second run's at the same epoch), its progress GIF and
 * latent scatter, and the evaluation images; a live run's new epochs appear as they are written.
 */
export const samplesPage: Page = async (root, params) => {
  const [runs, suites] = await Promise.all([fetchRuns(), fetchSuites()]);
  root.append(h('h1', {}, 'Samples'));
  const run = runs.find((r) => r.name === params.get('run')) ?? runs[0];
  if (!run) {
    root.append(h('p', { class: 'empty' }, 'No runs found.'));
    return () => undefined;
  }
  const suite = suiteOfRun(suites, run.name);
  const report = suite ? (await fetchSuiteReport(suite.name)).report : null;
  const other = runs.find((r) => r.name === params.get('compare') && r.name !== run.name) ?? null;
  let picker = pickers(runs, run.name, other?.name ?? null);
  root.append(picker);
  const progression = progressionSection([run, ...(other ? [other] : [])]);
  const gifs = h('section', { class: 'card' });
  const scatters = h('section', { class: 'card' });
  let staticSignature = '';
  // Only when something they show changed: a new <img> refetches (no-store) and live events come every second.
  const renderStatic = (shown: RunSummary[]) => {
    const signature = JSON.stringify(shown.map((r) => [r.name, r.progressGifUrl, r.latentScatterUrl, r.run?.status, r.metrics.length]));
    if (signature === staticSignature) return;
    staticSignature = signature;
    gifs.replaceChildren(h('h2', {}, 'Progress GIF'), h('div', { class: 'side-by-side' }, ...shown.map(gifFigure)));
    scatters.replaceChildren(h('h2', {}, 'Latent scatter (test-set means by digit)'), h('div', { class: 'side-by-side' }, ...shown.map(latentScatterFigure)));
  };
  renderStatic([run, ...(other ? [other] : [])]);
  root.append(progression.element, gifs, scatters, evaluationImages(suite?.name ?? null, report));
  const unfollow = followRuns((fresh) => {
    if (fresh.length !== runs.length) {
      picker.replaceWith((picker = pickers(fresh, run.name, other?.name ?? null))); // a new run can be picked at once
      runs.splice(0, runs.length, ...fresh);
    }
    const shown = [run, other].flatMap((r) => fresh.filter((f) => f.name === r?.name));
    progression.update(shown);
    renderStatic(shown);
  });
  return () => {
    unfollow();
    progression.stop();
  };
};

/** Run and "compare with" selectors; both navigate (the page is rebuilt for the new pair). */
function pickers(runs: RunSummary[], selected: string, compared: string | null): HTMLElement {
  const go = (run: string, compare: string) => (location.hash = `#/samples?run=${encodeURIComponent(run)}${compare ? `&compare=${encodeURIComponent(compare)}` : ''}`);
  const first = h('select', { 'aria-label': 'run', onchange: () => go(first.value, second.value) });
  const second = h('select', { 'aria-label': 'compare with', 'data-testid': 'compare-run', onchange: () => go(first.value, second.value) });
  second.append(h('option', { value: '' }, '(none)'));
  for (const r of runs) {
    first.append(h('option', { value: r.name, selected: r.name === selected }, r.name));
    if (r.name !== selected) second.append(h('option', { value: r.name, selected: r.name === compared }, r.name));
  }
  return h('div', { class: 'controls' }, h('label', { class: 'run-picker' }, 'Run ', first), h('label', { class: 'run-picker' }, 'compare with ', second));
}

interface Progression {
  element: HTMLElement;
  update(runs: RunSummary[]): void;
  stop(): void;
}

/**
 * One epoch slider and play button over the union of the runs' epochs; each run shows its grid of that
 * epoch (samples/epoch-NNNN.png: the same 16 latent vectors every epoch) or says it has none.
 */
function progressionSection(initial: RunSummary[]): Progression {
  const section = h('section', { class: 'card' }, h('h2', {}, 'Training progression'));
  const slider = h('input', { type: 'range', min: 0, max: 0, value: 0, 'aria-label': 'epoch', 'data-testid': 'epoch-slider' });
  const label = h('span', { class: 'epoch-label', 'data-testid': 'epoch-label' });
  const panes = h('div', { class: 'side-by-side' });
  const empty = h('p', { class: 'empty' }, 'This run has no sample grids yet.');
  let runs = initial;
  let epochs: number[] = [];
  let timer: number | undefined;
  const playButton = h('button', { type: 'button', 'data-testid': 'play', onclick: () => (timer !== undefined ? stop() : play()) }, 'Play');
  const last = () => epochs.length - 1;
  const show = (index: number) => {
    slider.value = String(index);
    const epoch = epochs[index];
    label.textContent = epochs.length === 0 ? '' : `epoch ${epoch} of ${epochs[last()]}`;
    // Keep an <img> whose picture did not change: a new one would flash and refetch.
    const old = new Map(Array.from(panes.querySelectorAll<HTMLImageElement>('img[data-testid="sample-grid"]')).map((img) => [img.getAttribute('src'), img]));
    panes.replaceChildren(...runs.map((run) => samplePane(run, epoch)));
    panes.querySelectorAll<HTMLImageElement>('img[data-testid="sample-grid"]').forEach((img) => {
      const kept = old.get(img.getAttribute('src'));
      if (kept) img.replaceWith(kept);
    });
  };
  const stop = () => {
    window.clearInterval(timer);
    timer = undefined;
    playButton.textContent = 'Play';
  };
  const play = () => {
    playButton.textContent = 'Pause';
    if (Number(slider.value) === last()) show(0);
    timer = window.setInterval(() => (Number(slider.value) >= last() ? stop() : show(Number(slider.value) + 1)), PLAY_INTERVAL_MS);
  };
  const update = (fresh: RunSummary[]) => {
    const wasAtEnd = epochs.length === 0 || Number(slider.value) === last();
    const current = epochs[Number(slider.value)];
    runs = fresh;
    epochs = [...new Set(fresh.flatMap((r) => r.samples.map((s) => s.epoch)))].sort((a, b) => a - b);
    slider.max = String(Math.max(0, last()));
    // Following a live run: a view at the newest epoch moves on to the next one when it appears.
    const index = wasAtEnd || !epochs.includes(current) ? last() : epochs.indexOf(current);
    empty.hidden = epochs.length > 0;
    show(Math.max(0, index));
  };
  slider.addEventListener('input', () => show(Number(slider.value)));
  section.append(h('div', { class: 'controls' }, playButton, slider, label), empty, panes);
  update(initial);
  return { element: section, update, stop };
}

function samplePane(run: RunSummary, epoch: number | undefined): HTMLElement {
  const sample = run.samples.find((s) => s.epoch === epoch);
  const image = sample
    ? h('img', { class: 'sample-grid pixelated', src: sample.url, alt: `${run.name} samples, epoch ${epoch}`, 'data-testid': 'sample-grid' })
    : h('div', { class: 'sample-grid no-image', 'data-testid': 'no-sample' }, epoch === undefined ? 'no grids yet' : `no grid for epoch ${epoch}`);
  return h('figure', { class: 'sample-pane', 'data-run': run.name }, h('figcaption', {}, run.name, ' ', livenessBadge(run)), progressLine(run), image);
}

/** samples/progress.gif: every epoch's grid as an animation (training writes it when a session ends). */
function gifFigure(run: RunSummary): HTMLElement {
  const body = run.progressGifUrl
    ? h('img', { class: 'sample-grid pixelated', src: run.progressGifUrl, alt: `${run.name} progress GIF`, 'data-testid': 'progress-gif' })
    : h('p', { class: 'empty' }, 'No progress.gif yet (training writes it when a session ends).');
  return h('figure', { class: 'sample-pane', 'data-run': run.name }, h('figcaption', {}, run.name), body);
}

/** samples/latent-scatter.png: where the encoder puts each digit; the principal plane for a latent space larger than 2. */
function latentScatterFigure(run: RunSummary): HTMLElement {
  const plane = run.latentDim !== null && run.latentDim > 2 ? ` (latent ${run.latentDim}: the plane of the means' first two principal components)` : '';
  const body = run.latentScatterUrl
    ? h('img', { class: 'latent-scatter', src: run.latentScatterUrl, alt: `latent scatter of ${run.name}'s test-set posterior means, coloured by digit`, 'data-testid': 'latent-scatter' })
    : h('p', { class: 'empty' }, 'No latent scatter: this run has no latent-scatter.png yet (training writes it when a run completes).');
  return h('figure', { class: 'sample-pane', 'data-run': run.name }, h('figcaption', {}, `${run.name}${plane}`), body);
}

/** The suite that checks one of this run's checkpoints (…/<run>/checkpoints/<name>), if any. */
function suiteOfRun(suites: SuiteSummary[], run: string): SuiteSummary | undefined {
  return suites.find((s) => s.checkpoint !== null && s.checkpoint.split(/[\\/]/).slice(-3, -1).join('/') === `${run}/checkpoints`);
}

/** Reconstructions, manifold, prior samples of the run's suite, as its latest check rendered them. */
function evaluationImages(suite: string | null, report: GoldenReport | null): HTMLElement {
  const section = h('section', { class: 'card' }, h('h2', {}, suite === null ? 'Evaluation images' : `Evaluation images (suite ${suite})`));
  const shown = suite === null ? [] : (report?.comparisons ?? []).filter((r) => r.actual ?? r.expected);
  if (suite === null) section.append(h('p', { class: 'empty' }, "No suite checks this run's checkpoints (create one: cvae golden init --suite suites/NAME --checkpoint …)."));
  else if (shown.length === 0) section.append(h('p', { class: 'empty' }, `Suite ${suite} has no report yet (run: cvae check --suite suites/${suite}).`));
  const figures = shown.map((r) =>
    h(
      'figure',
      { class: 'eval-image', 'data-golden-name': r.name },
      h('img', { src: reportFileUrl(suite as string, (r.actual ?? r.expected) as string), alt: r.name, title: `golden '${r.name}'`, class: 'pixelated' }),
      h('figcaption', {}, imageSetCaption(r)),
    ),
  );
  section.append(h('div', { class: 'gallery' }, ...figures));
  return section;
}

/** Evaluation's MANIFOLD_QUANTILES (not imported: the web bundle stays free of tfjs). */
const MANIFOLD_QUANTILE_RANGE = '0.05–0.95';

/** What the picture shows, from the report's recipe (kind, grid, seed). */
function imageSetCaption(r: Pick<GoldenReport['comparisons'][number], 'name' | 'kind' | 'grid' | 'seed'>): string {
  const square = `${r.grid}×${r.grid}, `;
  switch (r.kind) {
    case 'prior':
      return `prior samples (${square}seed ${r.seed})`;
    case 'recon':
      return `reconstructions of ${r.grid} test images: input above, reconstruction below`;
    case 'manifold':
      return `latent manifold (${square}quantiles ${MANIFOLD_QUANTILE_RANGE})`;
    case 'scatter':
      return 'latent scatter (test-set means by digit)';
    default:
      return `${r.name} (${r.kind})`;
  }
}
