/**
 * Golden review (`#/review?suite=NAME`): any suite of the workspace, its latest report rendered by
 * @cvae/report-ui — the same code and the same report.json as the static index.html a CI job keeps —
 * with Accept (when the viewer runs with --allow-accept) going through the CLI's acceptGolden.
 */
import { renderReport } from '@cvae/report-ui';
import type { SuiteSummary } from '../../shared/api-types';
import { acceptGolden, fetchConfig, fetchSuiteReport, fetchSuites, reportFileUrl } from '../api';
import { h } from '../dom';
import { noCleanup, type Page } from './page';

export const reviewPage: Page = async (root, params) => {
  const [config, suites] = await Promise.all([fetchConfig(), fetchSuites()]);
  root.append(h('h1', {}, 'Golden review'));
  if (suites.length === 0) {
    root.append(h('p', { class: 'empty' }, 'No suites found (create one with cvae golden init).'));
    return noCleanup;
  }
  const suite = suites.find((s) => s.name === params.get('suite')) ?? suites.find((s) => s.name === 'reference') ?? suites[0];
  root.append(suitePicker(suites, suite.name));
  const { report, acceptedSinceReport } = await fetchSuiteReport(suite.name);
  if (!report) {
    root.append(h('p', { class: 'empty' }, `Suite ${suite.name} has no report yet (run: cvae check --suite suites/${suite.name}).`));
    return noCleanup;
  }
  const container = h('div', { 'data-testid': 'report' });
  root.append(container);
  const accept = config.allowAccept
    ? async (name: string) => {
        await acceptGolden(suite.name, name, config.acceptToken);
        window.dispatchEvent(new HashChangeEvent('hashchange')); // re-render: the golden is now accepted
      }
    : undefined;
  renderReport(container, report, { imageUrl: (p) => reportFileUrl(suite.name, p), accept, acceptedSinceReport: new Set(acceptedSinceReport) });
  return noCleanup;
};

function suitePicker(suites: SuiteSummary[], selected: string): HTMLElement {
  const label = (s: SuiteSummary) => `${s.name}${s.report === null ? ' (never checked)' : s.report.passed ? ' (pass)' : ' (FAIL)'}`;
  const select = h(
    'select',
    { 'data-testid': 'suite-picker', onchange: (e: Event) => (location.hash = `#/review?suite=${encodeURIComponent((e.target as HTMLSelectElement).value)}`) },
    ...suites.map((s) => h('option', { value: s.name, selected: s.name === selected }, label(s))),
  );
  return h('label', { class: 'suite-picker' }, 'Suite ', select);
}
