/**
 * The explorer's encoder pass, in a worker thread (see latent.ts): loads tfjs and the checkpoint, encodes
 * the test set with @cvae/evaluation, and posts the latent space back, its arrays transferred.
 */
import { parentPort, workerData } from 'worker_threads';
import type { LatentSpace, LatentSpaceOptions } from '@cvae/evaluation';

export type LatentWorkerMessage = { space: LatentSpace } | { error: string };

function post(message: LatentWorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(message, transfer);
}

async function encode(options: LatentSpaceOptions): Promise<LatentSpace> {
  // Imported here like every other @cvae/evaluation use in the viewer (loaded lazily; here, in this thread).
  return (await import('@cvae/evaluation')).latentSpaceOfCheckpoint(options);
}

encode(workerData as LatentSpaceOptions).then(
  (space) => post({ space }, [space.means.buffer, space.labels.buffer, space.images.buffer] as ArrayBuffer[]),
  (error: unknown) => post({ error: error instanceof Error ? error.message : String(error) }),
);
