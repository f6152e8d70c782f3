import type { MetricRow } from '@cvae/formats';
import type { TestMetrics } from './evaluate';

/** One epoch's line of metrics.jsonl (the @cvae/formats schema). */
export type EpochMetrics = MetricRow;

export type TrainingEvent =
  | { type: 'start'; runDir: string; backend: string; backendReason: string; resumedAt?: { epoch: number; batch: number } }
  | { type: 'epoch-start'; epoch: number; epochs: number; batches: number; startBatch: number }
  | { type: 'step'; epoch: number; batch: number; batches: number; images: number; totalImages: number; loss: number; runningLoss: number; seconds: number }
  | { type: 'evaluating'; epoch: number; count: number }
  | { type: 'eval-progress'; epoch: number; done: number; count: number }
  | { type: 'epoch-end'; metrics: EpochMetrics; test: TestMetrics; isBest: boolean; evalSeconds: number }
  | { type: 'interrupted'; epoch: number; batch: number; step: number; reason: string }
  | { type: 'done'; epochs: number; step: number; seconds: number };

/** Receives training progress; the CLI renders it, tests pass a no-op. */
export type Reporter = (event: TrainingEvent) => void;

export const silentReporter: Reporter = () => undefined;

export interface ConsoleReporterOptions {
  write: (text: string) => void;
  /** Rewrite one progress line per epoch with \r; otherwise print plain lines (CI logs). */
  isTTY: boolean;
  /** Plain mode: a line every this fraction of an epoch… */
  plainEveryFraction?: number;
  /** …or after this many seconds, whichever comes first. */
  plainEverySeconds?: number;
  barWidth?: number;
}

/** A progress bar with images/s, ETA and running loss on a terminal; periodic plain lines elsewhere. */
export function consoleReporter(opts: ConsoleReporterOptions): Reporter {
  const { write, isTTY, plainEveryFraction = 0.1, plainEverySeconds = 30, barWidth = 24 } = opts;
  let lastPlain = { fraction: 0, seconds: 0 };
  let lineOpen = false;
  const endLine = () => {
    if (lineOpen) write('\n');
    lineOpen = false;
  };
  return (event) => {
    switch (event.type) {
      case 'start':
        write(`run ${event.runDir} on ${event.backend} (${event.backendReason})${event.resumedAt ? `, resuming at epoch ${event.resumedAt.epoch} batch ${event.resumedAt.batch}` : ''}\n`);
        return;
      case 'epoch-start':
        lastPlain = { fraction: event.startBatch / event.batches, seconds: 0 };
        return;
      case 'step': {
        const fraction = event.batch / event.batches;
        if (isTTY) {
          write(`\r${stepLine(event, barWidth)}\x1b[K`);
          lineOpen = true;
        } else if (fraction - lastPlain.fraction >= plainEveryFraction || event.seconds - lastPlain.seconds >= plainEverySeconds || event.batch === event.batches) {
          write(`${stepLine(event, 0)}\n`);
          lastPlain = { fraction, seconds: event.seconds };
        }
        return;
      }
      case 'evaluating':
        endLine();
        return;
      case 'epoch-end':
        endLine();
        write(`${epochLine(event)}\n`);
        return;
      case 'interrupted':
        endLine();
        write(`interrupted (${event.reason}) at epoch ${event.epoch}, batch ${event.batch}, step ${event.step}: saved checkpoints/last\n`);
        return;
      case 'done':
        endLine();
        write(`done: ${event.epochs} epochs, ${event.step} steps in ${formatDuration(event.seconds)}\n`);
        return;
    }
  };
}

function stepLine(event: Extract<TrainingEvent, { type: 'step' }>, barWidth: number): string {
  const fraction = event.batch / event.batches;
  const rate = event.seconds > 0 ? event.images / event.seconds : 0;
  const remainingImages = event.totalImages * (1 - fraction);
  const eta = rate > 0 ? formatDuration(remainingImages / rate) : '?';
  const bar = barWidth > 0 ? `[${'#'.repeat(Math.round(fraction * barWidth)).padEnd(barWidth, '.')}] ` : '';
  const percent = `${(fraction * 100).toFixed(0).padStart(3)}%`;
  return `epoch ${event.epoch} ${bar}${percent} ${event.batch}/${event.batches} | ${rate.toFixed(0)} img/s | ETA ${eta} | loss ${event.runningLoss.toFixed(2)}`;
}

function epochLine({ metrics: m, isBest, evalSeconds }: Extract<TrainingEvent, { type: 'epoch-end' }>): string {
  return (
    `epoch ${m.epoch}: train loss ${m.trainLoss.toFixed(2)} | test ELBO ${m.testElbo.toFixed(2)} ± ${m.testElboStdErr.toFixed(2)}` +
    ` | recon MSE ${m.reconMse.toFixed(4)} | KL ${m.kl.toFixed(2)} | ${m.epochSeconds.toFixed(1)} s (${m.imagesPerSecond.toFixed(0)} img/s), eval ${evalSeconds.toFixed(1)} s${isBest ? ' | best' : ''}`
  );
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
