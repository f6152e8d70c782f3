/**
 * GET /api/latent?run=NAME: the run's test images in its latent space, for the explorer. The server
 * encodes (the browser only decodes): one encoder pass over the test set with @cvae/evaluation, cached per
 * checkpoint (a live run's checkpoints/last changes every epoch, and then it is computed again).
 */
import * as path from 'path';
import { CheckpointManifestSchema, FormatError, RunInfoSchema, WEIGHT_FILES, readJsonFileIfExists } from '@cvae/formats';
import { probabilityToByte, startWorker } from '@cvae/images';
import type { LatentSpace, LatentSpaceOptions } from '@cvae/evaluation';
import type { ImageModel, LatentResponse } from '../shared/api-types';
import { HttpError } from './http-utils';
import type { LatentWorkerMessage } from './latent-worker';
import { RUN_NAME, imageModelOf, runNames } from './runs';

/** Test images a user can pick in the explorer (sent as pixels). */
export const PICKABLE_TEST_IMAGES = 100;

export type ComputeLatentSpace = (options: LatentSpaceOptions) => Promise<LatentSpace>;

/**
 * The encoder pass in a worker thread (latent-worker.ts), so the server keeps answering pages, API calls
 * and event streams meanwhile: in this thread, loading tfjs and encoding 10,000 images stalled every
 * request for 0.3 + 1.1 s on wasm and 34 s on cpu. A worker per pass: tfjs and the model are freed with it.
 */
const latentSpaceInWorker: ComputeLatentSpace = (options) =>
  new Promise((resolve, reject) => {
    const worker = startWorker(path.join(__dirname, 'latent-worker'), options);
    worker.once('message', (message: LatentWorkerMessage) => ('error' in message ? reject(new Error(message.error)) : resolve(message.space)));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the encoder's worker thread exited (code ${code}) without an answer`)));
  });

export class LatentSpaces {
  private readonly cache = new Map<string, { key: string; answer: Promise<LatentResponse> }>();
  /** One encoder pass at a time: they share the process's tfjs backend and its memory. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly runsDir: string,
    private readonly compute: ComputeLatentSpace = latentSpaceInWorker,
    private readonly backend?: string,
  ) {}

  async get(name: string): Promise<LatentResponse> {
    if (!RUN_NAME.test(name)) throw new HttpError(400, `run must be a run name (letters, digits, '.', '_', '-'), got '${name.slice(0, 60)}'`);
    if (!(await runNames(this.runsDir)).includes(name)) throw new HttpError(404, `no run named '${name}'`);
    const runDir = path.join(this.runsDir, name);
    const checkpoint = path.join(runDir, 'checkpoints', 'last');
    const manifest = await readOrUnprocessable(() => readJsonFileIfExists(CheckpointManifestSchema, path.join(checkpoint, 'manifest.json')));
    if (manifest === undefined) throw new HttpError(404, `run '${name}' has no checkpoint yet (checkpoints/last)`);
    const run = await readOrUnprocessable(() => readJsonFileIfExists(RunInfoSchema, path.join(runDir, 'run.json')));
    const key = [manifest.createdAt, ...WEIGHT_FILES.map((f) => manifest.files[f])].join(' ');
    const cached = this.cache.get(name);
    if (cached?.key === key) return cached.answer;
    const options = { checkpoint, dataDir: run?.config.dataDir, limit: run?.config.testLimit, pickable: PICKABLE_TEST_IMAGES, backend: this.backend };
    const answer = this.serialized(() => this.compute(options)).then(
      (space) => toResponse(name, manifest.epoch, imageModelOf(manifest.architecture), space),
      (error: unknown) => {
        this.cache.delete(name); // a failure is not cached: the next request tries again
        throw new HttpError(422, `cannot encode the test set with ${name}/checkpoints/last: ${(error as Error).message.split('\n')[0]}`);
      },
    );
    this.cache.set(name, { key, answer });
    return answer;
  }

  private serialized<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

async function readOrUnprocessable<T>(reader: () => Promise<T>): Promise<T> {
  try {
    return await reader();
  } catch (error) {
    if (error instanceof FormatError) throw new HttpError(422, error.message);
    throw error;
  }
}

function toResponse(run: string, epoch: number, imageModel: ImageModel, space: LatentSpace): LatentResponse {
  const count = space.labels.length;
  // round(value·255): 0/255 for binarized (bernoulli) data, the image's own 8-bit levels for the discretized logistic's.
  const [height, width, channels] = imageModel.inputShape;
  const valuesPerImage = height * width * channels;
  const pickable = Math.floor(space.images.length / valuesPerImage);
  const pixels = Uint8Array.from(space.images.subarray(0, pickable * valuesPerImage), probabilityToByte);
  const plane = space.principal;
  return {
    run,
    epoch,
    latentDim: space.latentDim,
    imageModel,
    count,
    means: base64(new Uint8Array(space.means.buffer, space.means.byteOffset, space.means.byteLength)),
    labels: base64(space.labels),
    principal: plane ? { u: plane.u, v: plane.v, explained: plane.explained ?? [0, 0] } : null,
    images: { count: pickable, pixels: base64(pixels) },
  };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
