import type { RunSummary } from '../shared/api-types';
import { formatSeconds } from './charts';
import { formatNumber, h } from './dom';

const BADGE_TEXT: Record<RunSummary['liveness']['state'], string> = { live: 'live', stalled: 'stalled', stopped: 'stopped', finished: '', unknown: '' };

/** A small badge for a run that is (or claims to be) training: live, stalled or stopped, with why as its tooltip. */
export function livenessBadge(run: RunSummary): HTMLElement | null {
  const text = BADGE_TEXT[run.liveness.state];
  if (text === '') return null;
  return h('span', { class: `badge badge-${run.liveness.state}`, title: run.liveness.reason, 'data-testid': 'liveness', 'data-state': run.liveness.state }, text);
}

/** The current epoch's progress of a live run (from progress.json), or nothing. */
export function progressLine(run: RunSummary): HTMLElement | null {
  const p = run.progress;
  if (p === null || run.liveness.state !== 'live') return null;
  const evaluating = p.phase === 'evaluating';
  const [done, total] = evaluating ? [p.evaluated, p.testImages] : [p.batch, p.batches];
  const text = evaluating
    ? `epoch ${p.epoch}/${p.epochs}: evaluating ${formatNumber(done)}/${formatNumber(total)} test images`
    : `epoch ${p.epoch}/${p.epochs}: batch ${formatNumber(done)}/${formatNumber(total)} · ${formatNumber(Math.round(p.imagesPerSecond))} img/s · ETA ${p.etaSeconds === null ? '—' : formatSeconds(p.etaSeconds)}${p.runningLoss === null ? '' : ` · loss ${p.runningLoss.toFixed(2)}`}`;
  return h(
    'div',
    { class: 'progress-line', 'data-testid': 'progress', 'data-epoch': p.epoch, 'data-batch': done, 'data-phase': p.phase },
    h('progress', { max: total, value: done }),
    h('span', {}, text),
  );
}
