import { mkdtempSync, promises as fs } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { TrainingProgressSchema, readJsonFile } from '@cvae/formats';
import { ProgressFile, nextProgress } from './progress-file';
import type { TrainingEvent } from './progress';

const step = (batch: number, seconds: number): TrainingEvent => ({ type: 'step', epoch: 2, batch, batches: 100, images: batch * 32, totalImages: 3200, runningLoss: 200 - batch, loss: 200 - batch, seconds });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('nextProgress', () => {
  const start = nextProgress(
    { formatVersion: 1, phase: 'ended', epoch: 0, epochs: 5, batch: 0, batches: 1, evaluated: 0, testImages: 500, imagesPerSecond: 0, etaSeconds: null, runningLoss: null },
    { type: 'epoch-start', epoch: 2, epochs: 5, batches: 100, startBatch: 40 },
  );

  it('follows an epoch: batches with rate and ETA, then the evaluation, then the end', () => {
    expect(start).toMatchObject({ phase: 'training', epoch: 2, batch: 40, batches: 100, etaSeconds: null, runningLoss: null });
    const stepped = nextProgress(start, step(50, 2));
    expect(stepped).toMatchObject({ phase: 'training', batch: 50, imagesPerSecond: 800, runningLoss: 150 });
    expect(stepped.etaSeconds).toBeCloseTo(2); // 1600 images left at 800/s
    const evaluating = nextProgress(nextProgress(stepped, { type: 'evaluating', epoch: 2, count: 500 }), { type: 'eval-progress', epoch: 2, done: 200, count: 500 });
    expect(evaluating).toMatchObject({ phase: 'evaluating', evaluated: 200, testImages: 500 });
    expect(nextProgress(evaluating, { type: 'done', epochs: 5, step: 500, seconds: 10 })).toMatchObject({ phase: 'ended', epoch: 5 });
  });
});

describe('ProgressFile', () => {
  const file = () => path.join(mkdtempSync(path.join(tmpdir(), 'cvae-progress-')), 'progress.json');
  const read = (f: string) => readJsonFile(TrainingProgressSchema, f);

  it('writes a valid file at most once per interval, then the final state on close', async () => {
    const f = file();
    const progress = new ProgressFile(f, { epochs: 5, testImages: 500, minIntervalMs: 400 });
    progress.report(step(1, 0.1));
    await sleep(100);
    expect((await read(f)).batch).toBe(1);
    for (let batch = 2; batch <= 20; batch++) progress.report(step(batch, batch * 0.1));
    await sleep(100);
    expect((await read(f)).batch).toBe(1); // throttled: the interval has not passed
    await sleep(450);
    expect((await read(f)).batch).toBe(20); // the latest state, not every one in between
    await progress.close();
    expect(await read(f)).toMatchObject({ phase: 'ended', batch: 20 });
    expect(await fs.readdir(path.dirname(f))).toEqual(['progress.json']); // no temp files left
  });

  it('rewrites updatedAt on a heartbeat while nothing happens', async () => {
    const f = file();
    const progress = new ProgressFile(f, { epochs: 5, testImages: 500, minIntervalMs: 10, heartbeatMs: 100 });
    progress.report(step(1, 0.1));
    await sleep(50);
    const first = (await read(f)).updatedAt;
    await sleep(300);
    expect(Date.parse((await read(f)).updatedAt)).toBeGreaterThan(Date.parse(first));
    await progress.close();
  });
});
