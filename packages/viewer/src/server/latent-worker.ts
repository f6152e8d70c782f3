/**
 * The explorer's encoder pass, in a worker thread (see latent.ts): loads tfjs and the checkpoint, encodes
 * the test set with @cvae/evaluation, and posts the latent space back, its arrays transferred.
 */
import { parentPort, workerData } from 'worker_threads';
// Static here (the server's thread loads @cvae/evaluation lazily; this thread exists only for it): from sources (jest)
// tsx resolves it through tsconfig's paths to the sources, where a dynamic import() goes through Node's ESM resolver,
// which knows no paths and ran the built dist (stale until rebuilt).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { latentSpaceOfCheckpoint, type LatentSpace, type LatentSpaceOptions } from '@cvae/evaluation';

export type LatentWorkerMessage = { space: LatentSpace } | { error: string };

function post(message: LatentWorkerMessage, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(message, transfer);
}

latentSpaceOfCheckpoint(workerData as LatentSpaceOptions).then(
  (space) => post({ space }, [space.means.buffer, space.labels.buffer, space.images.buffer] as ArrayBuffer[]),
  (error: unknown) => post({ error: error instanceof Error ? error.message : String(error) }),
);
