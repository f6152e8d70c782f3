import type { MetricRow, RunSummary } from '../../shared/api-types';
import { fetchRuns } from '../api';
import { lineChart } from '../chart';
import { formatNumber, h } from '../dom';
import { noCleanup, type Page } from './page';

/** run.json `config` keys (training's TrainConfig), shown in this order; `kl` and `limit` only when set. */
const CONFIG_KEYS = ['epochs', 'batchSize', 'latentDim', 'seed', 'learningRate'];
const OPTIONAL_CONFIG_KEYS = ['kl', 'limit'];
const CHARTED: { key: keyof MetricRow; title: string }[] = [
  { key: 'testElbo', title: 'Test ELBO' },
  { key: 'reconMse', title: 'Reconstruction MSE' },
  { key: 'kl', title: 'KL divergence' },
];

export const runsPage: Page = async (root) => {
  const runs = await fetchRuns();
  root.append(h('h1', {}, 'Runs'));
  if (runs.length === 0) root.append(h('p', { class: 'empty' }, 'No runs found in the runs directory.'));
  for (const run of runs) root.append(runSection(run));
  return noCleanup;
};

function runSection(run: RunSummary): HTMLElement {
  const final = run.metrics[run.metrics.length - 1];
  return h(
    'section',
    { class: 'card run', 'data-run': run.name },
    h('h2', {}, run.name, ' ', h('a', { href: `#/samples?run=${encodeURIComponent(run.name)}`, class: 'small-link' }, 'samples →')),
    h('div', { class: 'run-facts' }, configTable(run), finalMetricsTable(final)),
    h('div', { class: 'charts' }, ...CHARTED.map(({ key, title }) => lineChart({ title, points: pointsOf(run.metrics, key) }))),
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

function pointsOf(metrics: MetricRow[], key: keyof MetricRow): { x: number; y: number }[] {
  return metrics.filter((m) => typeof m[key] === 'number' && Number.isFinite(m[key])).map((m) => ({ x: m.epoch, y: m[key] as number }));
}

function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value !== 'number') return String(value);
  // Config values are short decimals like a learning rate of 0.0001: shown as written, not padded to 6 digits.
  return Number.isInteger(value) ? formatNumber(value) : String(Number(value.toPrecision(6)));
}
