import type { MetricRow, RunSummary } from '../../shared/api-types';
import { fetchRuns } from '../api';
import { lineChart } from '../chart';
import { formatNumber, h } from '../dom';
import { noCleanup, type Page } from './page';

const CONFIG_KEYS = ['epochs', 'batchSize', 'latentDim', 'seed', 'lr'];
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
  const config = (run.run?.config ?? {}) as Record<string, unknown>;
  const rows: [string, string][] = [
    ...CONFIG_KEYS.map((key): [string, string] => [key, displayValue(config[key])]),
    ['backend', displayValue(run.run?.backend)],
    ['started', displayValue(run.run?.startedAt)],
    ['finished', displayValue(run.run?.finishedAt)],
  ];
  return keyValueTable('Config', rows);
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

function keyValueTable(caption: string, rows: [string, string][]): HTMLElement {
  return h('table', { class: 'kv' }, h('caption', {}, caption), h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v)))));
}

function pointsOf(metrics: MetricRow[], key: keyof MetricRow): { x: number; y: number }[] {
  return metrics.filter((m) => typeof m[key] === 'number' && Number.isFinite(m[key])).map((m) => ({ x: m.epoch, y: m[key] as number }));
}

function displayValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  return typeof value === 'number' ? formatNumber(value, 6) : String(value);
}
