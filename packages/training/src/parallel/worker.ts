/**
 * Gradient worker (worker_threads entry). Holds a replica of the CVAE on its own tfjs backend; for
 * every 'step' message it loads the weights it was sent, computes its shard's scaled loss and
 * gradients, and sends them back as one flat, transferred Float32Array. It never updates weights
 * itself: the main thread owns the optimizer, so checkpoints and resume need no worker state.
 */
import { isMainThread, MessagePort, parentPort, workerData } from 'worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { CVAE, IMAGE_SHAPE, initBackend } from '@cvae/model';
import { CRASH_ENV, faultFromEnv, flatSize, flatToSnapshot, flattenTensors, isWorkerInit, MainToWorker, WorkerFault, WorkerInit, WorkerToMain } from './protocol';
import { computeShardGradients } from './shard';
import type { Gradients } from '../step';

function post(port: MessagePort, message: WorkerToMain, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function injectFault(fault: WorkerFault, workerIndex: number): void {
  const reason = `injected fault in worker ${workerIndex} at step ${fault.atStep}`;
  if (fault.kind === 'exit') process.exit(3);
  if (fault.kind === 'hang') {
    // Block the thread for good, as a deadlocked kernel would: only terminate() ends it.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  throw new Error(reason);
}

function runStep(port: MessagePort, model: CVAE, message: MainToWorker): void {
  const { id, shardSize, batchSize, kl } = message;
  model.setWeights(flatToSnapshot(model, message.weights));
  const x = tf.tensor4d(message.images, [shardSize, ...IMAGE_SHAPE]);
  const eps = tf.tensor2d(message.eps, [shardSize, model.latentDim]);
  let gradients: Gradients;
  try {
    gradients = computeShardGradients(model, x, eps, batchSize, kl);
  } finally {
    tf.dispose([x, eps]);
  }
  const flat = flattenTensors(gradients.grads);
  tf.dispose(gradients.grads);
  post(port, { type: 'result', id, loss: gradients.loss, grads: flat, numTensors: tf.memory().numTensors }, [flat.buffer as ArrayBuffer]);
}

async function start(port: MessagePort, init: WorkerInit): Promise<void> {
  let model: CVAE;
  let fault: WorkerFault | undefined;
  try {
    fault = init.fault ?? faultFromEnv(process.env[CRASH_ENV]);
    const backend = await initBackend(init.backend);
    model = CVAE.create({ latentDim: init.latentDim, seed: init.seed });
    post(port, { type: 'ready', parameterCount: flatSize(model.trainableVariables()), backend: backend.name });
  } catch (error) {
    post(port, { type: 'init-error', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  let steps = 0;
  port.on('message', (message: MainToWorker) => {
    steps += 1;
    if (fault != null && fault.atStep === steps) injectFault(fault, init.workerIndex);
    try {
      runStep(port, model, message);
    } catch (error) {
      post(port, { type: 'step-error', id: message.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
}

// The marker check keeps this module inert if it is ever loaded in some other worker thread.
if (!isMainThread && parentPort != null && isWorkerInit(workerData)) void start(parentPort, workerData);
