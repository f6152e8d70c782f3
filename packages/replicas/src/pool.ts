/**
 * A fixed set of replica workers (worker_threads), each holding a CVAE replica and running the task
 * functions named (by module path) at start. Each request carries an id; a worker answers each
 * request once. Any failure — an uncaught exception ('error'), an unexpected 'exit', a message that
 * cannot be deserialised, a task error, or no answer within the timeout — rejects every pending
 * request with a WorkerFailedError naming the worker, terminates every worker, and makes every later
 * request reject at once with the same error: a broken pool never hangs and never half-works.
 */
import type { Worker } from 'worker_threads';
import type { Architecture } from '@cvae/model';
import { MainToWorker, REPLICA_WORKER_KIND, WorkerFault, WorkerInit, WorkerToMain } from './protocol';
import { spawnReplicaWorker } from './worker-entry';

export const DEFAULT_REQUEST_TIMEOUT_MS = 120_000;
export const DEFAULT_START_TIMEOUT_MS = 120_000;

export interface ReplicaPoolOptions {
  workers: number;
  backend: string;
  architecture: Architecture;
  seed: number;
  /** Task name → module exporting `runTask: ReplicaTask`; see worker-entry.ts for why it is named without extension. */
  tasks: Record<string, string>;
  /** Per request; generous because a slow or shared machine must not fail a healthy run. */
  requestTimeoutMs?: number;
  startTimeoutMs?: number;
  /** Testing hook: worker index (1-based) → fault to inject. */
  faults?: Record<number, WorkerFault>;
  /** Names the pool in "… pool is closed" errors. */
  label?: string;
}

export interface ReplicaRequest<Request> {
  /** A task name given at start. */
  task: string;
  payload: Request;
  /** New flat weights for the replica (broadcast); omit to keep the ones it has. */
  weights?: Float32Array;
  /** Buffers of `payload` (and `weights`) to transfer instead of copy: unusable on this side afterwards. */
  transfer?: ArrayBuffer[];
}

export interface ReplicaResponse<Response> {
  result: Response;
  /** The worker's live tensors after the request (constant from request to request unless it leaks). */
  numTensors: number;
}

export class WorkerFailedError extends Error {
  override name = 'WorkerFailedError';
  constructor(readonly workerIndex: number, message: string) {
    super(message);
  }
}

interface Pending {
  id: number;
  resolve: (message: WorkerToMain) => void;
  reject: (error: Error) => void;
  /** What the worker failed to do if the timer fires, e.g. "answer request 3 within 120 s". */
  what: string;
  timeoutMs: number;
  /** Runs only for the request at the head of the queue: the one the worker is computing. */
  timer?: NodeJS.Timeout;
}

/**
 * One worker thread. It runs one request at a time and answers in the order they were sent, so
 * more than one may be in flight: the next waits in the worker's message queue and starts the moment
 * the previous one is answered, even while this thread is too busy to hand out more work.
 */
class ReplicaWorker {
  /** In flight, oldest first. */
  private readonly pending: Pending[] = [];
  private failure: WorkerFailedError | undefined;
  private exited = false;
  private nextId = 1;

  constructor(readonly index: number, private readonly worker: Worker, private readonly onFailure: (error: WorkerFailedError) => void) {
    worker.on('message', (message: WorkerToMain) => this.receive(message));
    worker.on('error', (error: Error) => this.fail(`worker ${index} crashed: ${error.message}`));
    worker.on('messageerror', (error: Error) => this.fail(`worker ${index} sent a message that could not be read: ${error.message}`));
    worker.on('exit', (code: number) => {
      this.exited = true;
      this.fail(`worker ${index} exited unexpectedly with code ${code}`);
    });
    // An idle worker must not keep the process alive; a pending request's timer does while it waits.
    worker.unref();
  }

  /** Resolves with the worker's 'ready' message. */
  waitUntilReady(timeoutMs: number): Promise<WorkerToMain> {
    return this.expect(0, `start within ${timeoutMs / 1000} s`, timeoutMs);
  }

  request(request: ReplicaRequest<unknown>, timeoutMs: number): Promise<WorkerToMain> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const message: MainToWorker = { type: 'task', id, task: request.task, weights: request.weights, payload: request.payload };
    const answer = this.expect(id, `answer request ${id} within ${timeoutMs / 1000} s`, timeoutMs);
    this.worker.postMessage(message, request.transfer ?? []);
    return answer;
  }

  /** Ends the thread; later 'exit' is expected, not a failure. */
  async terminate(): Promise<void> {
    this.failure ??= new WorkerFailedError(this.index, `worker ${this.index} was shut down`);
    this.rejectAll(this.failure);
    if (!this.exited) await this.worker.terminate();
  }

  private expect(id: number, what: string, timeoutMs: number): Promise<WorkerToMain> {
    return new Promise((resolve, reject) => {
      this.pending.push({ id, resolve, reject, what, timeoutMs });
      if (this.pending.length === 1) this.startHeadTimer();
    });
  }

  private startHeadTimer(): void {
    const head = this.pending[0];
    if (head) head.timer = setTimeout(() => this.fail(`worker ${this.index} did not ${head.what}`, { terminate: true }), head.timeoutMs);
  }

  private receive(message: WorkerToMain): void {
    const expectedId = this.pending[0]?.id;
    const id = message.type === 'ready' || message.type === 'init-error' ? 0 : message.id;
    if (expectedId !== id) return this.fail(`worker ${this.index} answered request ${id}, expected ${expectedId ?? 'none'}`, { terminate: true });
    if (message.type === 'init-error') return this.fail(`worker ${this.index} failed to start: ${message.message}`, { terminate: true });
    if (message.type === 'task-error') return this.fail(`worker ${this.index} failed request ${id}: ${message.message}`, { terminate: true });
    const head = this.pending.shift() as Pending;
    clearTimeout(head.timer);
    this.startHeadTimer();
    head.resolve(message);
  }

  private fail(message: string, { terminate = false } = {}): void {
    if (this.failure) return;
    this.failure = new WorkerFailedError(this.index, message);
    this.rejectAll(this.failure);
    this.onFailure(this.failure);
    if (terminate && !this.exited) void this.worker.terminate();
  }

  private rejectAll(error: WorkerFailedError): void {
    for (const request of this.pending.splice(0)) {
      clearTimeout(request.timer);
      request.reject(error);
    }
  }
}

export class ReplicaPool {
  private failure: WorkerFailedError | undefined;
  private closed = false;

  private constructor(private readonly workers: ReplicaWorker[], private readonly requestTimeoutMs: number, private readonly label: string) {}

  /** Starts the workers and waits until each has built its replica; `parameterCount` guards against a mismatched architecture. */
  static async start(options: ReplicaPoolOptions, parameterCount: number): Promise<ReplicaPool> {
    const workers: ReplicaWorker[] = [];
    const pool = new ReplicaPool(workers, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, options.label ?? 'replica worker pool');
    for (let index = 1; index <= options.workers; index++) {
      workers.push(new ReplicaWorker(index, spawnReplicaWorker(workerInit(options, index)), (error) => pool.breakDown(error)));
    }
    try {
      const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
      const ready = await Promise.all(workers.map((worker) => worker.waitUntilReady(timeoutMs)));
      ready.forEach((message, i) => {
        if (message.type === 'ready' && message.parameterCount !== parameterCount) {
          throw new WorkerFailedError(i + 1, `worker ${i + 1} built a model with ${message.parameterCount} parameters, the main thread has ${parameterCount}`);
        }
      });
      return pool;
    } catch (error) {
      await pool.close();
      throw error;
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs the task on worker `index` (1-based); requests to one worker run in the order they were made. */
  async request<Request, Response>(index: number, request: ReplicaRequest<Request>): Promise<ReplicaResponse<Response>> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error(`${this.label} is closed`);
    const worker = this.workers[index - 1];
    if (worker == null) throw new RangeError(`no worker ${index} (pool has ${this.size})`);
    const message = await worker.request(request, this.requestTimeoutMs);
    if (message.type !== 'result') throw new Error(`worker ${index} sent ${message.type} instead of a result`);
    return { result: message.payload as Response, numTensors: message.numTensors };
  }

  /** Terminates every worker. Safe to call more than once and after a failure. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  /** The first failure breaks the whole pool: the other workers are stopped so no thread outlives the run. */
  private breakDown(error: WorkerFailedError): void {
    if (this.failure) return;
    this.failure = error;
    void this.close();
  }
}

function workerInit(options: ReplicaPoolOptions, workerIndex: number): WorkerInit {
  const { backend, architecture, seed, tasks } = options;
  return { kind: REPLICA_WORKER_KIND, workerIndex, backend, architecture, seed, tasks, fault: options.faults?.[workerIndex] };
}
