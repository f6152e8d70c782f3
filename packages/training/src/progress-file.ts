/**
 * progress.json: the live position of a training session for readers outside the process (the viewer).
 * Fed the same events as the console reporter; rewritten atomically at most once per `minIntervalMs`
 * (a step takes ~30–100 ms, so writing every step would cost more than it tells), and at least every
 * PROGRESS_HEARTBEAT_SECONDS so a reader can tell a live run from a dead one by `updatedAt` alone.
 */
import { randomBytes } from 'crypto';
import { promises as fs } from 'fs';
import { PROGRESS_FORMAT_VERSION, PROGRESS_HEARTBEAT_SECONDS, TrainingProgress } from '@cvae/formats';
import type { TrainingEvent } from './progress';

export const PROGRESS_FILE = 'progress.json';

type ProgressState = Omit<TrainingProgress, 'updatedAt'>;

/** The next state after `event`; a pure function of the two, so it is tested without timers or files. */
export function nextProgress(state: ProgressState, event: TrainingEvent): ProgressState {
  switch (event.type) {
    case 'epoch-start':
      return { ...state, phase: 'training', epoch: event.epoch, epochs: event.epochs, batch: event.startBatch, batches: event.batches, evaluated: 0, imagesPerSecond: 0, etaSeconds: null, runningLoss: null };
    case 'step': {
      const rate = event.seconds > 0 ? event.images / event.seconds : 0;
      const remaining = event.totalImages * (1 - event.batch / event.batches);
      return { ...state, phase: 'training', epoch: event.epoch, batch: event.batch, batches: event.batches, imagesPerSecond: rate, etaSeconds: rate > 0 ? remaining / rate : null, runningLoss: event.runningLoss };
    }
    case 'evaluating':
      return { ...state, phase: 'evaluating', epoch: event.epoch, evaluated: 0, testImages: event.count, etaSeconds: null };
    case 'eval-progress':
      return { ...state, phase: 'evaluating', evaluated: event.done, testImages: event.count };
    case 'interrupted':
      return { ...state, phase: 'ended' };
    case 'done':
      return { ...state, phase: 'ended', epoch: event.epochs, batch: state.batches, etaSeconds: null };
    default:
      return state;
  }
}

export interface ProgressFileOptions {
  epochs: number;
  testImages: number;
  minIntervalMs?: number;
  heartbeatMs?: number;
}

export class ProgressFile {
  private state: ProgressState;
  private dirty = false;
  private lastWrite = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  private inFlight = false;
  private readonly minIntervalMs: number;

  constructor(
    private readonly file: string,
    options: ProgressFileOptions,
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    const heartbeatMs = options.heartbeatMs ?? PROGRESS_HEARTBEAT_SECONDS * 1000;
    this.state = {
      formatVersion: PROGRESS_FORMAT_VERSION, phase: 'training', epoch: 0, epochs: options.epochs, batch: 0, batches: 1,
      evaluated: 0, testImages: options.testImages, imagesPerSecond: 0, etaSeconds: null, runningLoss: null,
    };
    // unref: a heartbeat must never keep a finished process alive.
    this.heartbeat = setInterval(() => Date.now() - this.lastWrite >= heartbeatMs && this.markDirty(), heartbeatMs).unref();
  }

  /** A Reporter: cheap, synchronous; the write happens later. */
  readonly report = (event: TrainingEvent): void => {
    this.state = nextProgress(this.state, event);
    this.markDirty();
  };

  /** Writes the final state (phase 'ended') at once and waits for every write to finish. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    this.state = { ...this.state, phase: 'ended' };
    this.dirty = true;
    this.flush();
    await this.writing;
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastWrite + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  /**
   * One write at a time, of the state when it starts: on a busy disk a write can take longer than the
   * interval, and queued writes would then land minutes late with old states (measured under load). A
   * change during a write is written right after it. A failed write is dropped: progress is advisory, and a
   * full or read-only disk already stops training at its next real write.
   */
  private flush(): void {
    if (!this.dirty || this.inFlight) return;
    this.dirty = false;
    this.inFlight = true;
    this.lastWrite = Date.now();
    const snapshot: TrainingProgress = { ...this.state, updatedAt: new Date(this.lastWrite).toISOString() };
    this.writing = replaceFile(this.file, `${JSON.stringify(snapshot, null, 2)}\n`)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight = false;
        if (this.dirty) this.markDirty();
      });
  }
}

/**
 * Temp file, then rename: a reader sees the old file or the new one, never a torn one. No fsync (unlike the
 * run's real files): a progress file lost in a crash costs nothing, and fsync is what is slow on a busy disk.
 */
async function replaceFile(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.writeFile(temp, text);
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}
