import type { GoldenReport, RunSummary, SuiteSummary } from '../../shared/api-types';
import { fetchRuns, fetchSuiteReport, fetchSuites, reportFileUrl } from '../api';
import { h } from '../dom';
import { runPicker } from './run-picker';
import type { Page } from './page';

const PLAY_INTERVAL_MS = 500;

export const samplesPage: Page = async (root, params) => {
  const [runs, suites] = await Promise.all([fetchRuns(), fetchSuites()]);
  root.append(h('h1', {}, 'Samples'));
  const run = runs.find((r) => r.name === params.get('run')) ?? runs[0];
  if (run) root.append(runPicker(runs, run.name, 'samples'));
  const progression = run ? progressionSection(run) : { element: h('p', { class: 'empty' }, 'No runs found.'), stop: () => undefined };
  root.append(progression.element);
  if (run) {
    root.append(latentScatterSection(run));
    const suite = suiteOfRun(suites, run.name);
    root.append(evaluationImages(suite?.name ?? null, suite ? (await fetchSuiteReport(suite.name)).report : null));
  }
  return progression.stop;
};

/** The suite that checks one of this run's checkpoints (…/<run>/checkpoints/<name>), if any. */
function suiteOfRun(suites: SuiteSummary[], run: string): SuiteSummary | undefined {
  return suites.find((s) => s.checkpoint !== null && s.checkpoint.split(/[\\/]/).slice(-3, -1).join('/') === `${run}/checkpoints`);
}

/** The epoch slider and play button over samples/epoch-NNNN.png: how the samples improve with training. */
function progressionSection(run: RunSummary): { element: HTMLElement; stop: () => void } {
  const section = h('section', { class: 'card' }, h('h2', {}, 'Training progression'));
  if (run.samples.length === 0) {
    section.append(h('p', { class: 'empty' }, 'This run has no sample grids yet.'));
    return { element: section, stop: () => undefined };
  }
  const last = run.samples.length - 1;
  const image = h('img', { class: 'sample-grid pixelated', alt: 'sample grid', 'data-testid': 'sample-grid' });
  const label = h('span', { class: 'epoch-label', 'data-testid': 'epoch-label' });
  const slider = h('input', { type: 'range', min: 0, max: last, value: last, 'aria-label': 'epoch', 'data-testid': 'epoch-slider' });
  const show = (index: number) => {
    slider.value = String(index);
    image.src = run.samples[index].url;
    label.textContent = `epoch ${run.samples[index].epoch} of ${run.samples[last].epoch}`;
  };
  let timer: number | undefined;
  const stop = () => {
    window.clearInterval(timer);
    timer = undefined;
    playButton.textContent = 'Play';
  };
  const playButton = h('button', {
    type: 'button',
    'data-testid': 'play',
    onclick: () => {
      if (timer !== undefined) return stop();
      playButton.textContent = 'Pause';
      if (Number(slider.value) === last) show(0);
      timer = window.setInterval(() => (Number(slider.value) >= last ? stop() : show(Number(slider.value) + 1)), PLAY_INTERVAL_MS);
    },
  });
  slider.addEventListener('input', () => show(Number(slider.value)));
  show(last);
  stop();
  section.append(h('div', { class: 'controls' }, playButton, slider, label), image);
  if (run.progressGifUrl) section.append(h('p', {}, h('a', { href: run.progressGifUrl }, 'progress.gif')));
  return { element: section, stop };
}

/** samples/latent-scatter.png: where the encoder puts each digit (training writes it for a 2-D latent). */
function latentScatterSection(run: RunSummary): HTMLElement {
  const section = h('section', { class: 'card' }, h('h2', {}, 'Latent scatter (test-set means by digit)'));
  if (run.latentScatterUrl === null) {
    const why = run.latentDim !== null && run.latentDim !== 2 ? `this run's latent space has ${run.latentDim} dimensions, not 2` : 'this run has no latent-scatter.png yet (training writes it when a run completes)';
    section.append(h('p', { class: 'empty' }, `No latent scatter: ${why}.`));
    return section;
  }
  section.append(h('img', { class: 'latent-scatter', src: run.latentScatterUrl, alt: 'latent scatter of the test-set posterior means, coloured by digit', 'data-testid': 'latent-scatter' }));
  return section;
}

/** The image sets (reconstructions, manifold, prior samples) of the run's suite, as its latest check rendered them. */
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
