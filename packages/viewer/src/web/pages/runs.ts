import type uPlot from 'uplot';
import type { CompareResponse, CompareRow, MetricRow, PairedMetric, RunSummary } from '../../shared/api-types';
import { fetchCompare, fetchRuns } from '../api';
import { RUN_COLORS, formatSeconds, overlayChart } from '../charts';
import { formatNumber, h } from '../dom';
import { followRuns } from '../live';
import { livenessBadge, progressLine } from '../progress';
import { parseRunFilter, runMatches } from '../../shared/run-filter';
import type { Page } from './page';

/** run.json `config` keys (training's TrainConfig), shown in this order; `kl` and `limit` only when set. */
const CONFIG_KEYS = ['epochs', 'batchSize', 'latentDim', 'seed', 'learningRate'];
const OPTIONAL_CONFIG_KEYS = ['kl', 'limit', 'testLimit'];
type MetricKey = 'testElbo' | 'reconMse' | 'kl' | 'trainLoss';
const CHARTED: { key: MetricKey; title: string }[] = [
  { key: 'testElbo', title: 'Test ELBO' },
  { key: 'reconMse', title: 'Reconstruction MSE' },
  { key: 'kl', title: 'KL divergence' },
  { key: 'trainLoss', title: 'Train loss' },
];
type XMode = 'epoch' | 'time';
/** .overlay-charts' column gap (style.css). */
const CHART_GAP_PX = 24;
/** Runs ticked when the URL names none: the latest by start time (with 1,000 runs, not 1,000 lines). */
export const DEFAULT_TICKED = 5;
/** Runs listed per page of the picker, so a long list costs a page of DOM, not all of it. */
const PAGE_SIZE = 50;

interface State {
  runs: RunSummary[];
  /** Selected run names; the latest DEFAULT_TICKED (of those matching the filter) when the URL names none. */
  selected: Set<string>;
  /** What the picker lists (shared/run-filter.ts); ticked runs it hides stay ticked. */
  filter: string;
  /** The picker's page of the filtered list, newest first. */
  page: number;
  baseline: string | null;
  x: XMode;
  sort: { key: SortKey; descending: boolean };
  compare: CompareResponse | null;
}

/** The runs: pick any of them; their metrics overlaid per chart, a sortable table, paired deltas against a baseline; live. */
export const runsPage: Page = async (root, params) => {
  const runs = await fetchRuns();
  root.append(h('h1', {}, 'Runs'));
  if (runs.length === 0) root.append(h('p', { class: 'empty' }, 'No runs found in the runs directory.'));
  const state = initialState(runs, params);
  const picker = runPicker(state, () => onChange());
  const parts = { charts: h('section', { class: 'card' }), table: h('section', { class: 'card' }), details: h('div', {}) };
  root.append(picker.section, parts.charts, parts.table, parts.details);
  let charts: uPlot[] = [];
  const rerenderTable = () => parts.table.replaceWith((parts.table = tableSection(state, rerenderTable)));
  const renderData = async () => {
    state.compare = await compareFor(state);
    charts.forEach((c) => c.destroy());
    charts = renderCharts(parts.charts, state);
    rerenderTable();
  };
  const renderLive = () => {
    picker.render();
    parts.details.replaceChildren(...state.runs.filter((r) => state.selected.has(r.name)).map(runSection));
  };
  const onChange = () => {
    saveToUrl(state);
    renderLive();
    void renderData();
  };
  renderLive();
  await renderData();
  const known = new Set(runs.map((r) => r.name));
  const unfollow = followRuns((fresh) => {
    const metricsChanged = dataSignature(fresh) !== dataSignature(state.runs);
    state.runs = fresh;
    // A run that starts while the page is open is shown at once (unticking it later sticks).
    for (const { name } of fresh.filter((r) => !known.has(r.name))) {
      known.add(name);
      state.selected.add(name);
    }
    renderLive();
    if (metricsChanged) void renderData();
  });
  return () => {
    unfollow();
    charts.forEach((c) => c.destroy());
  };
};

function initialState(runs: RunSummary[], params: URLSearchParams): State {
  const named = params.get('runs');
  const filter = params.get('filter') ?? '';
  const terms = parseRunFilter(filter);
  const latest = newestFirst(runs.filter((r) => runMatches(r, terms))).slice(0, DEFAULT_TICKED);
  const selected = new Set(named === null ? latest.map((r) => r.name) : named.split(',').filter((n) => runs.some((r) => r.name === n)));
  const baseline = params.get('baseline');
  const [sortKey, direction] = (params.get('sort') ?? 'name:asc').split(':');
  return {
    runs,
    selected,
    filter,
    page: 0,
    baseline: baseline !== null && runs.some((r) => r.name === baseline) ? baseline : null,
    x: params.get('x') === 'time' ? 'time' : 'epoch',
    sort: { key: (SORT_KEYS as readonly string[]).includes(sortKey) ? (sortKey as SortKey) : 'name', descending: direction === 'desc' },
    compare: null,
  };
}

/** The page's state in its hash (a link opens the same comparison) without re-rendering the route. */
function saveToUrl(state: State): void {
  const params = new URLSearchParams();
  params.set('runs', [...state.selected].join(','));
  if (state.filter.trim() !== '') params.set('filter', state.filter);
  if (state.baseline) params.set('baseline', state.baseline);
  if (state.x === 'time') params.set('x', 'time');
  params.set('sort', `${state.sort.key}:${state.sort.descending ? 'desc' : 'asc'}`);
  history.replaceState(null, '', `#/runs?${params.toString().replace(/%2C/g, ',')}`);
}

/** What the charts and the table show; progress ticks alone do not redraw them. */
function dataSignature(runs: RunSummary[]): string {
  return JSON.stringify(runs.map((r) => [r.name, r.metrics.length, r.metrics.at(-1)?.epoch, r.testMetrics?.epoch, r.run?.timings.epochs.length]));
}

async function compareFor(state: State): Promise<CompareResponse | null> {
  if (state.baseline === null) return null;
  try {
    return await fetchCompare(state.baseline);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Picking runs

/** Newest first by run.json's startedAt (runs without one last), then by name. */
export function newestFirst(runs: RunSummary[]): RunSummary[] {
  const started = (r: RunSummary) => (r.run ? Date.parse(r.run.startedAt) : -Infinity);
  return [...runs].sort((a, b) => started(b) - started(a) || a.name.localeCompare(b.name));
}

/**
 * The picker: a filter box (kept across renders, so typing keeps its focus), one page of the matching runs
 * newest first, and the axis and baseline choices. `render` redraws all but the filter box.
 */
function runPicker(state: State, onChange: () => void): { section: HTMLElement; render: () => void } {
  const list = h('div', { class: 'run-list-page' });
  const controls = h('div', { class: 'controls' });
  const filter = h('input', {
    type: 'search',
    value: state.filter,
    placeholder: 'name, model, latent 8, status…',
    'aria-label': 'filter runs',
    'data-testid': 'run-filter',
    oninput: () => {
      state.filter = filter.value;
      state.page = 0;
      saveToUrl(state);
      renderList();
    },
  });
  const renderList = () => list.replaceChildren(...runListPage(state, onChange, renderList));
  const render = () => {
    renderList();
    controls.replaceChildren(...pickerControls(state, onChange));
  };
  const title = 'Every term must match: part of the name, the model (run.json config.model) or the status, or the latent size; name:, model:, status:, latent: restrict a term to one field.';
  const section = h('section', { class: 'card', 'data-testid': 'run-picker' }, h('h2', {}, 'Compare runs'), h('label', { class: 'run-filter', title }, 'filter ', filter), list, controls);
  return { section, render };
}

/** The count line, the current page of the filtered runs with a tick box each, and the page buttons. */
function runListPage(state: State, onChange: () => void, rerender: () => void): HTMLElement[] {
  const terms = parseRunFilter(state.filter);
  const matching = newestFirst(state.runs.filter((r) => runMatches(r, terms)));
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const shown = matching.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
  const colors = new Map(state.runs.map((r, i) => [r.name, RUN_COLORS[i % RUN_COLORS.length]]));
  const ticked = state.selected.size;
  const range = matching.length === 0 ? 'no runs match' : `${state.page * PAGE_SIZE + 1}–${state.page * PAGE_SIZE + shown.length} of ${matching.length} matching`;
  const count = h('p', { class: 'kind', 'data-testid': 'run-count' }, `${range} (${state.runs.length} runs) · ${ticked} ticked `);
  if (ticked > 0) count.append(h('button', { type: 'button', class: 'small', 'data-testid': 'untick-all', onclick: () => (state.selected.clear(), onChange()) }, 'untick all'));
  const turn = (delta: number) => () => ((state.page += delta), rerender());
  const pager = pages === 1 ? null : h(
    'div',
    { class: 'pager' },
    h('button', { type: 'button', 'data-testid': 'page-newer', disabled: state.page === 0, onclick: turn(-1) }, '‹ newer'),
    ` page ${state.page + 1} of ${pages} `,
    h('button', { type: 'button', 'data-testid': 'page-older', disabled: state.page === pages - 1, onclick: turn(1) }, 'older ›'),
  );
  const items = shown.map((run) => runItem(run, colors.get(run.name) ?? RUN_COLORS[0], state, onChange));
  return [count, h('ul', { class: 'run-list' }, ...items), ...(pager ? [pager] : [])];
}

function runItem(run: RunSummary, color: string, state: State, onChange: () => void): HTMLElement {
  const box = h('input', {
    type: 'checkbox',
    checked: state.selected.has(run.name),
    'data-testid': `select-${run.name}`,
    onchange: () => {
      if (box.checked) state.selected.add(run.name);
      else state.selected.delete(run.name);
      onChange();
    },
  });
  const model = run.run?.config.model;
  const facts = [model, run.latentDim === null ? null : `latent ${run.latentDim}`, `${run.metrics.length} epochs`].filter((f) => f != null);
  return h(
    'li',
    { 'data-run-item': run.name },
    h('label', {}, box, h('span', { class: 'swatch', style: `background:${color}` }), ` ${run.name} `),
    h('span', { class: 'kind' }, facts.join(' · ')),
    ' ',
    livenessBadge(run),
    progressLine(run),
  );
}

function pickerControls(state: State, onChange: () => void): HTMLElement[] {
  const xMode = h('select', { 'aria-label': 'x axis', 'data-testid': 'x-axis', onchange: () => ((state.x = xMode.value as XMode), onChange()) });
  for (const [value, text] of [['epoch', 'epoch'], ['time', 'wall time']]) xMode.append(h('option', { value, selected: state.x === value }, text));
  const baseline = h('select', { 'aria-label': 'baseline', 'data-testid': 'baseline', onchange: () => ((state.baseline = baseline.value || null), onChange()) });
  baseline.append(h('option', { value: '' }, '(none)'), ...state.runs.map((r) => h('option', { value: r.name, selected: r.name === state.baseline }, r.name)));
  return [h('label', {}, 'x axis ', xMode), h('label', {}, 'baseline ', baseline)];
}

// ---------------------------------------------------------------------------------------------
// Charts

function renderCharts(section: HTMLElement, state: State): uPlot[] {
  const chosen = state.runs.map((run, i) => ({ run, color: RUN_COLORS[i % RUN_COLORS.length] })).filter((c) => state.selected.has(c.run.name));
  section.replaceChildren(h('h2', {}, `Metrics against ${state.x === 'time' ? 'wall time' : 'epoch'}`));
  if (chosen.length === 0) {
    section.append(h('p', { class: 'empty' }, 'Pick at least one run.'));
    return [];
  }
  const grid = h('div', { class: 'overlay-charts' });
  section.append(grid);
  const width = Math.max(280, Math.floor(((grid.clientWidth || 1000) - CHART_GAP_PX) / 2));
  return CHARTED.map(({ key, title }) => {
    const box = h('div', { class: 'chart-box', 'data-metric': key, 'aria-label': title });
    grid.append(box);
    return overlayChart(box, {
      title,
      width,
      xLabel: state.x === 'time' ? 'wall time' : 'epoch',
      formatX: state.x === 'time' ? formatSeconds : (x) => String(x),
      integerX: state.x === 'epoch',
      series: chosen.map(({ run, color }) => ({ label: run.name, color, points: pointsOf(run, key, state.x) })),
    });
  });
}

/** (epoch or seconds since the run started, value) of every epoch. */
function pointsOf(run: RunSummary, key: MetricKey, x: XMode): { x: number; y: number }[] {
  const times = x === 'time' ? wallTimes(run) : null;
  return run.metrics.filter((m) => Number.isFinite(m[key])).map((m) => ({ x: times?.get(m.epoch) ?? m.epoch, y: m[key] }));
}

/**
 * Wall time at the end of each epoch: training, evaluation and saving of every epoch so far (run.json's
 * timings), summed across sessions; epochSeconds where a run lacks timings.
 */
export function wallTimes(run: RunSummary): Map<number, number> {
  const timings = new Map((run.run?.timings.epochs ?? []).map((t) => [t.epoch, t.trainSeconds + t.evalSeconds + t.saveSeconds]));
  const times = new Map<number, number>();
  let elapsed = 0;
  for (const m of run.metrics) {
    elapsed += timings.get(m.epoch) ?? m.epochSeconds;
    times.set(m.epoch, elapsed);
  }
  return times;
}

// ---------------------------------------------------------------------------------------------
// The table of final metrics

const SORT_KEYS = ['name', 'latent', 'epoch', 'testElbo', 'reconMse', 'kl', 'trainLoss', 'imagesPerSecond'] as const;
type SortKey = (typeof SORT_KEYS)[number];
const COLUMNS: { key: SortKey; title: string }[] = [
  { key: 'name', title: 'run' },
  { key: 'latent', title: 'latent' },
  { key: 'epoch', title: 'epoch' },
  { key: 'testElbo', title: 'test ELBO ± SE' },
  { key: 'reconMse', title: 'recon MSE' },
  { key: 'kl', title: 'KL' },
  { key: 'trainLoss', title: 'train loss' },
  { key: 'imagesPerSecond', title: 'images/s' },
];
const PAIRED_COLUMNS: { metric: PairedMetric['metric']; title: string }[] = [
  { metric: 'elbo', title: 'Δ ELBO' },
  { metric: 'mse', title: 'Δ MSE' },
  { metric: 'kl', title: 'Δ KL' },
];

function sortValue(run: RunSummary, key: SortKey): number | string {
  const final = run.metrics.at(-1);
  if (key === 'name') return run.name;
  if (key === 'latent') return run.latentDim ?? -Infinity;
  if (key === 'epoch') return final?.epoch ?? -Infinity;
  return final?.[key] ?? -Infinity;
}

function tableSection(state: State, rerender: () => void): HTMLElement {
  const rows = state.runs.filter((r) => state.selected.has(r.name));
  const { key, descending } = state.sort;
  rows.sort((a, b) => {
    const [x, y] = [sortValue(a, key), sortValue(b, key)];
    const order = typeof x === 'string' || typeof y === 'string' ? String(x).localeCompare(String(y)) : x - y;
    return descending ? -order : order;
  });
  const header = COLUMNS.map((c) => {
    const sorted = c.key === key ? (descending ? 'descending' : 'ascending') : 'none';
    const button = h('button', { type: 'button', class: 'sort', 'data-sort': c.key, onclick: () => ((state.sort = { key: c.key, descending: c.key === key ? !descending : c.key !== 'name' }), saveToUrl(state), rerender()) }, c.title);
    return h('th', { scope: 'col', 'aria-sort': sorted }, button);
  });
  const paired = state.baseline !== null ? PAIRED_COLUMNS.map((c) => h('th', { scope: 'col', title: `run − ${state.baseline}, paired over the same test images` }, c.title)) : [];
  const table = h('table', { class: 'metrics-table', 'data-testid': 'metrics-table' }, h('thead', {}, h('tr', {}, ...header, ...paired)), h('tbody', {}, ...rows.map((run) => metricsRow(run, state))));
  const note = state.baseline === null ? 'Pick a baseline to see paired differences (mean over the same test images ± standard error).' : `Δ = run − ${state.baseline}, paired image by image on the test set (mean ± standard error), judged like a suite gate: worse or better when |Δ| − 3 SE exceeds the margin δ (ELBO 0.5 nats, MSE 0.0005, KL 0.05), else changed within margin; unchanged only when equal.`;
  return h('section', { class: 'card' }, h('h2', {}, 'Final metrics'), h('div', { class: 'table-scroll' }, table), h('p', { class: 'message' }, note));
}

function metricsRow(run: RunSummary, state: State): HTMLElement {
  const final = run.metrics.at(-1);
  const cells = [
    h('th', { scope: 'row' }, run.name, ' ', livenessBadge(run)),
    h('td', {}, run.latentDim === null ? '—' : String(run.latentDim)),
    h('td', {}, final ? String(final.epoch) : '—'),
    h('td', { 'data-key': 'testElbo' }, final ? `${formatNumber(final.testElbo)} ± ${formatNumber(final.testElboStdErr, 2)}` : '—'),
    h('td', { 'data-key': 'reconMse' }, formatNumber(final?.reconMse)),
    h('td', { 'data-key': 'kl' }, formatNumber(final?.kl)),
    h('td', { 'data-key': 'trainLoss' }, formatNumber(final?.trainLoss)),
    h('td', {}, formatNumber(final?.imagesPerSecond === undefined ? undefined : Math.round(final.imagesPerSecond))),
  ];
  return h('tr', { 'data-run': run.name }, ...cells, ...pairedCells(run, state));
}

function pairedCells(run: RunSummary, state: State): HTMLElement[] {
  if (state.baseline === null) return [];
  if (run.name === state.baseline) return [h('td', { colspan: 3, class: 'kind', 'data-testid': 'paired' }, 'baseline')];
  const row: CompareRow | undefined = state.compare?.rows.find((r) => r.run === run.name);
  if (row === undefined || row.status === 'unavailable') {
    const reason = row?.reason ?? 'no comparison';
    const short = reason.startsWith('no per-image metrics') || reason.includes('has no per-image metrics') ? '—: no per-image metrics' : `—: ${reason}`;
    return [h('td', { colspan: 3, class: 'kind', title: reason, 'data-testid': 'paired', 'data-status': 'unavailable' }, short)];
  }
  return PAIRED_COLUMNS.map(({ metric }) => {
    const m = row.metrics.find((x) => x.metric === metric);
    if (!m) return h('td', {}, '—');
    const title = `${m.verdict} (margin ${m.margin}; unpaired SE would be ${formatNumber(m.unpairedStandardError, 3)})${row.note ? `; ${row.note}` : ''} (epoch ${row.epoch} vs ${state.compare?.baselineEpoch ?? '?'})`;
    return h(
      'td',
      { class: `verdict verdict-${m.verdict.replace(/ /g, '-')}`, title, 'data-testid': 'paired', 'data-status': 'paired', 'data-metric': metric, 'data-verdict': m.verdict },
      `${signed(m.delta)} ± ${formatNumber(m.standardError, 2)} `,
      h('span', { class: 'verdict-word' }, m.verdict),
    );
  });
}

function signed(value: number): string {
  return `${value > 0 ? '+' : ''}${formatNumber(value)}`;
}

// ---------------------------------------------------------------------------------------------
// One run: its config and where its training is

function runSection(run: RunSummary): HTMLElement {
  const final = run.metrics[run.metrics.length - 1];
  return h(
    'section',
    { class: 'card run', 'data-run': run.name },
    h('h2', {}, run.name, ' ', livenessBadge(run), ' ', h('a', { href: `#/samples?run=${encodeURIComponent(run.name)}`, class: 'small-link' }, 'samples →'), ' ', h('a', { href: `#/explorer?run=${encodeURIComponent(run.name)}`, class: 'small-link' }, 'explorer →')),
    progressLine(run),
    run.liveness.state === 'stalled' || run.liveness.state === 'stopped' ? h('p', { class: 'error', 'data-testid': 'liveness-reason' }, `Not training: ${run.liveness.reason}.`) : null,
    ...run.problems.map((p) => h('p', { class: 'error' }, p)),
    h('div', { class: 'run-facts' }, configTable(run), finalMetricsTable(final)),
  );
}

function configTable(run: RunSummary): HTMLElement {
  const info: Partial<NonNullable<RunSummary['run']>> = run.run ?? {};
  const config = asRecord(info.config);
  const rows: KeyValueRow[] = [
    ...CONFIG_KEYS.map((key): KeyValueRow => [key, displayValue(config[key])]),
    ...OPTIONAL_CONFIG_KEYS.filter((key) => config[key] !== undefined && config[key] !== null).map((key): KeyValueRow => [key, displayValue(config[key])]),
    backendRow(info.backend),
    ...workersRows(info.sessions),
    ['status', displayValue(info.status)],
    ['started', displayValue(info.startedAt)],
    ['ended', displayValue(info.endedAt)],
  ];
  return keyValueTable('Config', rows);
}

/** run.json's backend is {name, preference, reason}: the name, with why it was chosen as a tooltip. */
function backendRow(backend: unknown): KeyValueRow {
  if (typeof backend !== 'object' || backend === null) return ['backend', displayValue(backend)];
  const { name, reason } = backend as Record<string, unknown>;
  return ['backend', displayValue(name), typeof reason === 'string' ? reason : undefined];
}

/** Worker threads per training session (a resume may use another count); no row for runs that predate the field. */
function workersRows(sessions: unknown): KeyValueRow[] {
  const counts = (Array.isArray(sessions) ? sessions : []).map((s) => asRecord(s).workers).filter((w): w is number => typeof w === 'number');
  return counts.length === 0 ? [] : [['workers', counts.join(', ')]];
}

function finalMetricsTable(final: MetricRow | undefined): HTMLElement {
  if (!final) return h('p', { class: 'empty' }, 'No metrics yet.');
  return keyValueTable(`Final metrics (epoch ${final.epoch})`, [
    ['test ELBO', `${formatNumber(final.testElbo)} ± ${formatNumber(final.testElboStdErr, 2)}`],
    ['recon MSE', formatNumber(final.reconMse)],
    ['KL', formatNumber(final.kl)],
    ['train loss', formatNumber(final.trainLoss)],
    ['images/s', formatNumber(final.imagesPerSecond)],
  ]);
}

/** [key, shown value, optional tooltip]. */
type KeyValueRow = [string, string, string?];

function keyValueTable(caption: string, rows: KeyValueRow[]): HTMLElement {
  const row = ([key, value, title]: KeyValueRow) => h('tr', {}, h('th', { scope: 'row' }, key), h('td', { title }, value));
  return h('table', { class: 'kv' }, h('caption', {}, caption), h('tbody', {}, ...rows.map(row)));
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value !== 'number') return String(value);
  // Config values are short decimals like a learning rate of 0.0001: shown as written, not padded to 6 digits.
  return Number.isInteger(value) ? formatNumber(value) : String(Number(value.toPrecision(6)));
}
