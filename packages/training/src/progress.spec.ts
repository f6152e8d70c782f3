import { consoleReporter, formatDuration, TrainingEvent } from './progress';

function stepEvents(batches: number, secondsPerBatch: number, steps = batches): TrainingEvent[] {
  return Array.from({ length: steps }, (_, i) => ({
    type: 'step' as const,
    epoch: 1,
    batch: i + 1,
    batches,
    images: (i + 1) * 32,
    totalImages: batches * 32,
    loss: 500 - i,
    runningLoss: 500 - i,
    seconds: (i + 1) * secondsPerBatch,
  }));
}

describe('consoleReporter', () => {
  it('prints a plain line every ~10% of the epoch when stdout is not a terminal', () => {
    const out: string[] = [];
    const report = consoleReporter({ write: (t) => out.push(t), isTTY: false });
    report({ type: 'epoch-start', epoch: 1, epochs: 1, batches: 100, startBatch: 0 });
    stepEvents(100, 0.01).forEach(report);
    expect(out).toHaveLength(10);
    expect(out.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
    expect(out[0]).toBe('epoch 1  10% 10/100 | 3200 img/s | ETA 1s | loss 491.00\n');
    expect(out[9]).toMatch(/^epoch 1 100% 100\/100 .* ETA 0s/);
  });

  it('also prints every 30 s on slow epochs', () => {
    const out: string[] = [];
    const report = consoleReporter({ write: (t) => out.push(t), isTTY: false });
    report({ type: 'epoch-start', epoch: 1, epochs: 1, batches: 1000, startBatch: 0 });
    stepEvents(1000, 1, 60).forEach(report); // 60 s, only 6% of the epoch
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/ 30\/1000 .* ETA 16m10s/);
  });

  it('rewrites one line with a bar on a terminal and ends it before the epoch summary', () => {
    const out: string[] = [];
    const report = consoleReporter({ write: (t) => out.push(t), isTTY: true, barWidth: 10 });
    report({ type: 'epoch-start', epoch: 2, epochs: 3, batches: 4, startBatch: 0 });
    stepEvents(4, 1).map((e) => ({ ...e, epoch: 2 })).forEach(report);
    report({ type: 'evaluating', epoch: 2, count: 10000 });
    expect(out.slice(0, 4).every((line) => line.startsWith('\r') && !line.includes('\n'))).toBe(true);
    expect(out[1]).toContain('epoch 2 [#####.....]  50% 2/4 | 32 img/s | ETA 2s | loss 499.00');
    expect(out[4]).toBe('\n');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [59.4, '59s'],
    [61, '1m01s'],
    [3725, '1h02m'],
    [Infinity, '?'],
  ])('%s s → %s', (seconds, text) => expect(formatDuration(seconds)).toBe(text));
});
