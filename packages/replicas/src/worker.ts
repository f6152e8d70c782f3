/**
 * Replica worker (worker_threads entry). Builds a CVAE replica on its own tfjs backend, loads the
 * task modules named at start, and for every request loads the weights it was sent (if any) and
 * answers with the named task's result. What a task computes (gradients, metrics) is the caller's;
 * this file only knows the protocol, so training and evaluation share it without importing each other.
 */
import { isMainThread, MessagePort, parentPort, workerData } from 'worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { CVAE } from '@cvae/model';
import { initBackend } from '@cvae/tfjs-kernels';
import { CRASH_ENV, faultFromEnv, flatSize, flatToSnapshot, isWorkerInit, MainToWorker, ReplicaTask, WorkerFault, WorkerInit, WorkerToMain } from './protocol';

type AnyTask = ReplicaTask<unknown, unknown>;

function post(port: MessagePort, message: WorkerToMain, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function injectFault(fault: WorkerFault, workerIndex: number): void {
  const reason = `injected fault in worker ${workerIndex} at request ${fault.atStep}`;
  if (fault.kind === 'exit') process.exit(3);
  if (fault.kind === 'hang') {
    // Block the thread for good, as a deadlocked kernel would: only terminate() ends it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  throw new Error(reason);
}

function loadTask(modulePath: string): AnyTask {
  // A run-time path: require resolves it to the built `.js`, or under the TS loader to the `.ts`.
  const task = (require(modulePath) as { runTask?: unknown }).runTask;
  if (typeof task !== 'function') throw new Error(`task module ${modulePath} does not export a function runTask`);
  return task as AnyTask;
}

function runRequest(port: MessagePort, model: CVAE, tasks: Map<string, AnyTask>, message: MainToWorker): void {
  const task = tasks.get(message.task);
  if (task === undefined) throw new Error(`no task '${message.task}' (this pool has ${[...tasks.keys()].join(', ')})`);
  if (message.weights) model.setWeights(flatToSnapshot(model, message.weights));
  const { result, transfer = [] } = task(model, message.payload);
  post(port, { type: 'result', id: message.id, payload: result, numTensors: tf.memory().numTensors }, transfer);
}

async function start(port: MessagePort, init: WorkerInit): Promise<void> {
  let model: CVAE;
  let tasks: Map<string, AnyTask>;
  let fault: WorkerFault | undefined;
  try {
    fault = init.fault ?? faultFromEnv(process.env[CRASH_ENV]);
    tasks = new Map(Object.entries(init.tasks).map(([name, modulePath]) => [name, loadTask(modulePath)]));
    const backend = await initBackend(init.backend);
    model = CVAE.create({ architecture: init.architecture, seed: init.seed });
    post(port, { type: 'ready', parameterCount: flatSize(model.trainableVariables()), backend: backend.name });
  } catch (error) {
    post(port, { type: 'init-error', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  let requests = 0;
  port.on('message', (message: MainToWorker) => {
    requests += 1;
    if (fault != null && fault.atStep === requests) injectFault(fault, init.workerIndex);
    try {
      runRequest(port, model, tasks, message);
    } catch (error) {
      post(port, { type: 'task-error', id: message.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
}

// The marker check keeps this module inert if it is ever loaded in some other worker thread.
if (!isMainThread && parentPort != null && isWorkerInit(workerData)) void start(parentPort, workerData);
