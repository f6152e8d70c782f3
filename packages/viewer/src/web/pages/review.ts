import type { GoldenResultView, ReportView } from '../../shared/api-types';
import { acceptGolden, fetchConfig, fetchReport } from '../api';
import { formatNumber, h } from '../dom';
import { noCleanup, type Page } from './page';

type Filter = 'all' | 'pass' | 'fail';
const ZOOMS = [1, 2, 4, 8, 16];
/** Kept across re-renders (filter changes, accept) so the reviewer keeps their magnification. */
let zoomFactor = 1;

export const reviewPage: Page = async (root, params) => {
  const [config, report] = await Promise.all([fetchConfig(), fetchReport()]);
  root.append(h('h1', {}, 'Golden review'));
  if (!report) {
    root.append(h('p', { class: 'empty' }, 'No golden report found (run the golden comparison first).'));
    return noCleanup;
  }
  const filter = (['all', 'pass', 'fail'] as const).find((f) => f === params.get('filter')) ?? 'all';
  root.append(reportHeader(report), toolbar(filter), resultList(report, filter, config.allowAccept ? config.acceptToken : null));
  return noCleanup;
};

function reportHeader(report: ReportView): HTMLElement {
  const failing = report.results.filter((r) => r.status !== 'pass').length;
  return h(
    'p',
    { class: 'report-summary' },
    `${report.results.length} comparisons, ${failing} failing`,
    report.createdAt ? ` · report of ${report.createdAt}` : '',
    report.checkpoint ? ` · checkpoint ${report.checkpoint}` : '',
  );
}

function toolbar(filter: Filter): HTMLElement {
  const links = (['all', 'pass', 'fail'] as const).map((f) =>
    h('a', { href: `#/review?filter=${f}`, class: f === filter ? 'filter active' : 'filter', 'data-filter': f, 'aria-current': f === filter ? 'true' : undefined }, f),
  );
  const zoom = h('select', {
    'aria-label': 'zoom',
    'data-testid': 'zoom',
    onchange: () => {
      zoomFactor = Number(zoom.value);
      document.querySelectorAll<HTMLImageElement>('img.comparison').forEach(applyZoom);
    },
  });
  for (const z of ZOOMS) zoom.append(h('option', { value: z, selected: z === zoomFactor }, `${z}×`));
  return h('div', { class: 'toolbar' }, h('span', {}, 'Show: '), ...links, h('label', { class: 'zoom' }, 'Zoom ', zoom));
}

/** Scales every comparison image by an integer factor; `pixelated` keeps each pixel a crisp square. */
function applyZoom(img: HTMLImageElement): void {
  img.style.width = img.naturalWidth > 0 ? `${img.naturalWidth * zoomFactor}px` : '';
}

/** `acceptToken`: null when Accept is disabled. */
function resultList(report: ReportView, filter: Filter, acceptToken: string | null): HTMLElement {
  const shown = report.results.filter((r) => filter === 'all' || (filter === 'pass') === (r.status === 'pass'));
  const list = h('div', { class: 'results' }, ...shown.map((r) => resultCard(r, acceptToken)));
  if (shown.length === 0) list.append(h('p', { class: 'empty' }, `No ${filter === 'all' ? '' : `${filter}ing `}comparisons.`));
  return list;
}

function resultCard(result: GoldenResultView, acceptToken: string | null): HTMLElement {
  return h(
    'section',
    { class: `card result status-${result.status}`, 'data-golden': result.name, 'data-status': result.status },
    h(
      'h2',
      {},
      result.name,
      h('span', { class: `badge badge-${result.status === 'pass' ? 'pass' : 'fail'}` }, result.status),
      result.acceptedSinceReport ? h('span', { class: 'badge badge-accepted', 'data-testid': 'accepted' }, 'accepted') : null,
      h('span', { class: 'kind' }, result.kind),
    ),
    result.message ? h('p', { class: 'message' }, result.message) : null,
    numbersTable(result),
    // A pass leaves no actual/diff evidence in the report: the golden alone is shown.
    result.status === 'pass' && !result.actualUrl
      ? h('div', { class: 'triptych' }, figure('expected', result.expectedUrl))
      : h('div', { class: 'triptych' }, figure('expected', result.expectedUrl), figure('actual', result.actualUrl), figure('diff', result.diffUrl)),
    acceptToken !== null && result.status !== 'pass' && result.actualUrl && !result.acceptedSinceReport ? acceptButton(result.name, acceptToken) : null,
  );
}

function numbersTable(r: GoldenResultView): HTMLElement {
  const cells: [string, string][] = [
    ['differing pixels', formatNumber(r.differingPixels)],
    ['allowed pixels', formatNumber(r.allowedPixels)],
    ['ratio', formatNumber(r.ratio)],
    ['max Δ', formatNumber(r.maxDelta)],
    ['threshold', formatNumber(r.threshold)],
  ];
  return h('dl', { class: 'numbers' }, ...cells.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function figure(caption: string, url: string | null): HTMLElement {
  // The timestamp defeats any image cache after an accept rewrote the golden.
  const image = url
    ? h('img', { src: `${url}?t=${Date.now()}`, alt: caption, class: 'comparison pixelated', onload: (event: Event) => applyZoom(event.target as HTMLImageElement) })
    : h('div', { class: 'no-image' }, 'none');
  return h('figure', { 'data-image': caption }, h('div', { class: 'zoom-box' }, image), h('figcaption', {}, caption));
}

function acceptButton(name: string, token: string): HTMLElement {
  const status = h('span', { class: 'accept-status', role: 'status' });
  const button = h('button', {
    type: 'button',
    class: 'accept',
    'data-testid': `accept-${name}`,
    onclick: async () => {
      if (!window.confirm(`Replace the golden "${name}" with the actual image?`)) return;
      button.setAttribute('disabled', '');
      try {
        await acceptGolden(name, token);
        status.textContent = 'Accepted.';
        window.dispatchEvent(new HashChangeEvent('hashchange')); // re-render with the new golden
      } catch (error) {
        status.textContent = `Accept failed: ${(error as Error).message}`;
        button.removeAttribute('disabled');
      }
    },
  }, 'Accept actual as golden');
  return h('div', { class: 'accept-row' }, button, status);
}
