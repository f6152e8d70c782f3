import type { GoldenResultView, RunSummary } from '../../shared/api-types';
import { fetchReport, fetchRuns } from '../api';
import { h } from '../dom';
import { runPicker } from './run-picker';
import type { Page } from './page';

const PLAY_INTERVAL_MS = 500;

export const samplesPage: Page = async (root, params) => {
  const [runs, report] = await Promise.all([fetchRuns(), fetchReport()]);
  root.append(h('h1', {}, 'Samples'));
  const run = runs.find((r) => r.name === params.get('run')) ?? runs[0];
  if (run) root.append(runPicker(runs, run.name, 'samples'));
  const progression = run ? progressionSection(run) : { element: h('p', { class: 'empty' }, 'No runs found.'), stop: () => undefined };
  root.append(progression.element, evaluationImages(report?.results ?? []));
  return progression.stop;
};

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

/** Reconstructions, manifold, scatter…: the evaluation's image sets, as rendered for the latest report. */
function evaluationImages(results: GoldenResultView[]): HTMLElement {
  const section = h('section', { class: 'card' }, h('h2', {}, 'Evaluation images'));
  const shown = results.filter((r) => r.actualUrl ?? r.expectedUrl);
  if (shown.length === 0) section.append(h('p', { class: 'empty' }, 'No golden report found.'));
  const figures = shown.map((r) =>
    h('figure', { class: 'eval-image' }, h('img', { src: (r.actualUrl ?? r.expectedUrl) as string, alt: r.name, class: 'pixelated' }), h('figcaption', {}, `${r.name} (${r.kind})`)),
  );
  section.append(h('div', { class: 'gallery' }, ...figures));
  return section;
}
