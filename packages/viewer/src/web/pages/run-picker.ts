import type { RunSummary } from '../../shared/api-types';
import { h } from '../dom';

/** A run selector that navigates to the same page for another run. */
export function runPicker(runs: RunSummary[], selected: string, route: string): HTMLElement {
  const select = h('select', { 'aria-label': 'run', onchange: () => (location.hash = `#/${route}?run=${encodeURIComponent(select.value)}`) });
  for (const run of runs) select.append(h('option', { value: run.name, selected: run.name === selected }, run.name));
  return h('label', { class: 'run-picker' }, 'Run ', select);
}
