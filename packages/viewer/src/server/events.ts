/**
 * GET /api/events: server-sent events telling open pages that the runs changed, so they refetch
 * /api/runs without a reload. While at least one page listens, the runs directory is checked every
 * POLL_MS by stat (cheap: a few files per run) rather than fs.watch, which misses atomic renames on some
 * file systems and is not recursive everywhere. The signature also holds each running run's liveness, so a
 * trainer that dies (its files stop changing) still produces an event.
 */
import { promises as fs } from 'fs';
import type { IncomingMessage, ServerResponse } from 'http';
import * as path from 'path';
import { TEST_METRICS_FILE } from '@cvae/formats';
import { isLockHolderGone, readLockHolder } from '@cvae/images';
import { COMMON_HEADERS } from './http-utils';
import { RUN_LOCK_FILE, STALE_AFTER_SECONDS } from './liveness';
import { PROGRESS_FILE, runNames } from './runs';

const POLL_MS = 1000;
/** A comment line now and then keeps proxies and idle timeouts from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;
const WATCHED = ['run.json', 'metrics.jsonl', PROGRESS_FILE, TEST_METRICS_FILE, 'samples', 'samples/progress.gif', 'samples/latent-scatter.png', 'checkpoints/last/manifest.json'];

export class RunsEvents {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private signature = '';
  private sinceKeepalive = 0;
  private polling = false;

  constructor(
    private readonly runsDir: string,
    private readonly pollMs = POLL_MS,
  ) {}

  /** Holds the response open as an event stream until the client goes away. */
  async subscribe(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, { ...COMMON_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    if (this.clients.size === 0) this.signature = await runsSignature(this.runsDir);
    res.write(`retry: 2000\nevent: hello\ndata: {}\n\n`);
    this.clients.add(res);
    req.on('close', () => this.unsubscribe(res));
    this.timer ??= setInterval(() => void this.poll(), this.pollMs).unref();
  }

  private unsubscribe(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size > 0) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // a slow disk must not pile up polls
    this.polling = true;
    try {
      const signature = await runsSignature(this.runsDir);
      this.sinceKeepalive += this.pollMs;
      if (signature !== this.signature) {
        this.signature = signature;
        this.broadcast(`event: runs\ndata: {}\n\n`);
      } else if (this.sinceKeepalive >= KEEPALIVE_MS) {
        this.broadcast(': keepalive\n\n');
      }
    } finally {
      this.polling = false;
    }
  }

  private broadcast(text: string): void {
    this.sinceKeepalive = 0;
    for (const res of this.clients) res.write(text);
  }
}

/**
 * Names, sizes and mtimes of every run's watched files, and whether each locked run's trainer is alive and recent.
 * Each run directory is listed once and only the files in it are stat'ed: with 1,000 runs, failed stats of
 * absent files (progress.json, checkpoints, a lock) made a poll cost ~130-300 ms of every second.
 */
export async function runsSignature(runsDir: string): Promise<string> {
  const runs = await Promise.all((await runNames(runsDir)).map((name) => runSignature(runsDir, name)));
  return runs.join('\n');
}

async function runSignature(runsDir: string, name: string): Promise<string> {
  const dir = path.join(runsDir, name);
  const present = new Set(await fs.readdir(dir).catch(() => [] as string[]));
  const parts = await Promise.all(WATCHED.map(async (file) => {
    const stat = present.has(file.split('/')[0]) ? await fs.stat(path.join(dir, file)).catch(() => null) : null;
    return stat ? `${name}/${file}:${stat.size}:${stat.mtimeMs}` : `${name}/${file}:-`;
  }));
  parts.push(`${name}:${present.has(RUN_LOCK_FILE) ? await trainerState(dir) : 'unlocked'}`);
  return parts.join('\n');
}

async function trainerState(dir: string): Promise<string> {
  const holder = await readLockHolder(path.join(dir, RUN_LOCK_FILE)).catch(() => undefined);
  if (holder === undefined) return 'unlocked';
  const progress = await fs.stat(path.join(dir, PROGRESS_FILE)).catch(() => null);
  const stale = progress !== null && Date.now() - progress.mtimeMs > STALE_AFTER_SECONDS * 1000;
  return `${holder.pid}:${isLockHolderGone(holder)}:${stale}`;
}
