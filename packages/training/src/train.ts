import { readFileSync } from 'fs';
import { promises as fs } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { Batch, DatasetIdentity, ImageFolderOptions, ImageSet, SeededRandom, batchCount, datasetIdentity, iterateBatches, resolveRecordedDataset } from '@cvae/dataset';
import { RunInfo, RunInfoSchema, TrainConfig, TrainingState, TrainingStateSchema, parseJsonText, readJsonFile, workspaceLayout } from '@cvae/formats';
import { Lock, LockedError, acquireLock, decodeImagePng, encodeGif, encodePng, pathExists, writeFileAtomic, writeJsonAtomic, writePng } from '@cvae/images';
import { CVAE, imageOptionsFor, loadCheckpoint, loadImagesFor, renderLatentScatter, saveCheckpoint } from '@cvae/model';
import { WorkerFailedError } from '@cvae/replicas';
import { BackendChoice, initBackend, preferenceOf } from '@cvae/tfjs-kernels';
import { architectureOf, assertValidConfig, defaultRunName, runSeeds, withDefaults } from './config';
import { evaluateTestSetPerImage } from './evaluate';
import { OPTIMIZER_DATA_FILE, OPTIMIZER_SPEC_FILE, restoreOptimizerState, serializeOptimizerState } from './optimizer-state';
import { EpochMetrics, Reporter, silentReporter } from './progress';
import { PROGRESS_FILE, ProgressFile } from './progress-file';
import { RunPaths, appendJsonLine, readMetrics, runPaths, truncateMetrics } from './run-files';
import { renderSampleGrid, sampleGridEps } from './samples';
import { ParallelTrainer } from './trainer';
import { NonFiniteLossError, createOptimizer } from './step';
import type { FlatAdamOptimizer } from './flat-adam';
import { TestImagesIdentity, testImagesIdentity, writeTestMetrics } from './test-metrics-file';

export const TRAINING_STATE_FILE = 'training/state.json';
/** Held by the process training a run (see withRunLock). */
export const RUN_LOCK_FILE = '.lock';

export interface TrainOptions {
  reporter?: Reporter;
  /** Abort (e.g. on SIGINT/SIGTERM): the current step finishes, `last` is saved with the mid-epoch position, and train resolves 'interrupted'. */
  signal?: AbortSignal;
  /** Testing hook: poison this global step's batch (1-based) with NaN to exercise the non-finite-loss stop. */
  injectNanAtStep?: number;
  /**
   * Threads computing gradients, the main thread included (default 1). A run setting like the backend,
   * not part of the config: a resume may use another count, and the training is the same either way.
   */
  workers?: number;
  /** Deliberate changes to the training code, so the training guard can prove it notices them (tests only). */
  perturbation?: TrainingPerturbation;
}

/** What the training guard's proof changes: Adam's β₁, the KL term's weight, the batch order. */
export interface TrainingPerturbation {
  adamBeta1?: number;
  klWeight?: number;
  /** Step k trains on the epoch's batch k + shift (rotated): an off-by-one in the batch order. */
  batchShift?: number;
}

export interface StartOptions extends TrainOptions {
  /** Parent of run directories (default: the workspace's runs/). */
  outDir?: string;
  /** Run directory name (default: a timestamp). Must not exist yet. */
  name?: string;
}

export interface ResumeOverrides {
  /** New total number of epochs (to extend a finished run). */
  epochs?: number;
  /** Another backend continues the run, but then it is no longer bit-identical to an uninterrupted one. */
  backend?: TrainConfig['backend'];
  /** Where the (same) MNIST files are now. */
  dataDir?: string;
}

export interface TrainResult {
  status: 'completed' | 'interrupted';
  runDir: string;
  epochsCompleted: number;
  step: number;
  /** Every epoch's metrics line of the run so far (including epochs from before a resume). */
  metrics: EpochMetrics[];
}

/** One line, naming the epoch and step; the last good checkpoint is left intact. */
export class TrainingError extends Error {
  override name = 'TrainingError';
}

interface Session {
  paths: RunPaths;
  /** The data the run trains and evaluates on (recorded in run.json and every checkpoint). */
  dataset: DatasetIdentity;
  model: CVAE;
  optimizer: FlatAdamOptimizer;
  trainSet: ImageSet;
  testSet: ImageSet;
  sampleEps: Float32Array;
  state: TrainingState;
  run: RunInfo;
  backend: BackendChoice;
  options: TrainOptions;
  reporter: Reporter;
  sessionStart: number;
  /** Set by runSession once the worker threads are up. */
  trainer?: ParallelTrainer;
  /** Fingerprint of the test images, recorded with the per-image test metrics (computed once per session). */
  testImages?: TestImagesIdentity;
}

/** Starts a new run in `<outDir>/<name>/` and trains it for config.epochs epochs. */
export async function train(partialConfig: Partial<TrainConfig>, options: StartOptions = {}): Promise<TrainResult> {
  const config = withDefaults(partialConfig);
  assertValidConfig(config);
  const name = options.name ?? defaultRunName();
  const paths = runPaths(path.join(options.outDir ?? workspaceLayout().runs, name));
  // The data is read (and checked against the model's shape) before the run directory exists.
  const data = loadData(config);
  await createRunDirectory(paths.runDir);
  return withRunLock(paths.runDir, () => startSession(paths, name, config, data, options));
}

async function startSession(paths: RunPaths, name: string, config: TrainConfig, data: LoadedData, options: StartOptions): Promise<TrainResult> {
  const backend = await initBackend(config.backend);
  const dataset = datasetIdentity(config.dataDir, startImageOptions(config));
  const { trainSet, testSet } = data;
  const state: TrainingState = { formatVersion: 1, config, epochsCompleted: 0, nextBatch: 0, step: 0, partialEpoch: emptyPartialEpoch(), bestTestElbo: null };
  const session = newSession({
    paths, backend, options, trainSet, testSet, state,
    model: CVAE.create({ architecture: architectureOf(config), seed: runSeeds.init(config.seed) }),
    optimizer: createOptimizer(config.learningRate, options.perturbation?.adamBeta1),
    run: newRunInfo(name, config, backend, dataset),
    dataset,
  });
  await fs.mkdir(paths.samples, { recursive: true });
  await writeJsonAtomic(paths.runJson, session.run);
  // An epoch-0 checkpoint means even a kill -9 during the first epoch leaves a run that resume can continue.
  await saveCheckpoint(paths.lastCheckpoint, session.model, checkpointMeta(session), await checkpointExtraFiles(session));
  return runSession(session, undefined);
}

/** Continues the run in `runDir` from checkpoints/last with its optimizer state and data position. */
export async function resumeTraining(runDir: string, overrides: ResumeOverrides = {}, options: TrainOptions = {}): Promise<TrainResult> {
  const paths = runPaths(runDir);
  if (!(await pathExists(paths.runJson))) throw new TrainingError(`cannot resume ${runDir}: no run.json (not a training run directory)`);
  return withRunLock(runDir, () => resumeSession(paths, overrides, options));
}

async function resumeSession(paths: RunPaths, overrides: ResumeOverrides, options: TrainOptions): Promise<TrainResult> {
  const runDir = paths.runDir;
  const previousRun = await readJsonFile(RunInfoSchema, paths.runJson);
  let backend = await initBackend(overrides.backend ?? previousRun.config.backend);
  const { model, manifest, extraFiles } = await loadCheckpoint(paths.lastCheckpoint);
  if (manifest.backend !== backend.name) {
    // Kernels round differently per backend: the run continues correctly, but no longer bit-identically.
    backend = { ...backend, reason: `${backend.reason}; the checkpoint was trained on ${manifest.backend}, so this run is no longer bit-reproducible` };
  }
  const state = parseJsonText(TrainingStateSchema, new TextDecoder().decode(await extraFiles.read(TRAINING_STATE_FILE)), path.join(paths.lastCheckpoint, TRAINING_STATE_FILE));
  // The data the checkpoint was trained on (still there, same sha256s), unless --data-dir says otherwise.
  const data = resolveRecordedDataset(manifest.dataset, `checkpoint ${paths.lastCheckpoint}`, overrides.dataDir, imageOptionsFor(model.architecture));
  state.config = applyOverrides(state.config, { ...overrides, dataDir: data.dataDir }, state.epochsCompleted, runDir);
  const optimizer = createOptimizer(state.config.learningRate, options.perturbation?.adamBeta1);
  await restoreOptimizerState(optimizer, await extraFiles.read(OPTIMIZER_SPEC_FILE), await extraFiles.read(OPTIMIZER_DATA_FILE));
  // Epochs logged after this checkpoint (a crash between logging and saving) will be redone: drop them.
  await truncateMetrics(paths.metrics, state.epochsCompleted);
  const { trainSet, testSet } = loadData(state.config, data.imageOptions);
  const run: RunInfo = { ...previousRun, config: state.config, dataset: data.identity, status: 'running', backend: describeBackend(backend), endedAt: undefined, error: undefined };
  run.timings.epochs = run.timings.epochs.filter((t) => t.epoch <= state.epochsCompleted);
  const session = newSession({ paths, backend, options, trainSet, testSet, state, model, optimizer, run, dataset: data.identity });
  return runSession(session, { epoch: state.epochsCompleted + 1, batch: state.nextBatch });
}

/** The run's directory, made here and nowhere else: two `cvae train --name X` cannot both create it. */
async function createRunDirectory(runDir: string): Promise<void> {
  await fs.mkdir(path.dirname(runDir), { recursive: true });
  try {
    await fs.mkdir(runDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new TrainingError(`run directory ${runDir} already exists (resume it, or choose another name)`);
    throw error;
  }
}

/** One trainer per run directory at a time: a second `train`/`resume` of it fails naming the holder. */
async function withRunLock<T>(runDir: string, work: () => Promise<T>): Promise<T> {
  let lock: Lock;
  try {
    lock = await acquireLock(path.join(runDir, RUN_LOCK_FILE), `cvae train ${runDir}`);
  } catch (error) {
    if (error instanceof LockedError) throw new TrainingError(`run ${runDir} is being trained: ${error.message}`);
    throw error;
  }
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

function applyOverrides(config: TrainConfig, overrides: ResumeOverrides, epochsCompleted: number, runDir: string): TrainConfig {
  const updated = withDefaults({ ...config, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) });
  assertValidConfig(updated);
  if (updated.epochs < epochsCompleted) {
    throw new TrainingError(`run ${runDir} has already completed ${epochsCompleted} epochs; epochs ${updated.epochs} would go back`);
  }
  return updated;
}

function newSession(parts: Omit<Session, 'sampleEps' | 'reporter' | 'sessionStart'>): Session {
  const { config } = parts.state;
  return {
    ...parts,
    sampleEps: sampleGridEps(config.latentDim),
    reporter: parts.options.reporter ?? silentReporter,
    sessionStart: performance.now(),
  };
}

type LoadedData = { trainSet: ImageSet; testSet: ImageSet };

/** How a new run reads an image folder: at the model's shape, with its --test-fraction. */
function startImageOptions(config: TrainConfig): ImageFolderOptions {
  return imageOptionsFor(architectureOf(config), config.testFraction === undefined ? {} : { testFraction: config.testFraction });
}

/** The training data; for a resumed run, read as its recorded image-folder options say. */
function loadData(config: TrainConfig, recorded?: ImageFolderOptions): LoadedData {
  const architecture = architectureOf(config);
  const imageOptions = recorded ?? startImageOptions(config);
  return {
    trainSet: loadImagesFor(architecture, 'train', { dataDir: config.dataDir, limit: config.limit, imageOptions }),
    testSet: loadImagesFor(architecture, 'test', { dataDir: config.dataDir, limit: config.testLimit, imageOptions }),
  };
}

// ---------------------------------------------------------------------------------------------
// The loop

async function runSession(session: Session, resumedAt: { epoch: number; batch: number } | undefined): Promise<TrainResult> {
  // progress.json hears every event the caller's reporter hears (the viewer shows a live run from it).
  const progressFile = new ProgressFile(path.join(session.paths.runDir, PROGRESS_FILE), { epochs: session.state.config.epochs, testImages: session.testSet.count });
  const callerReporter = session.reporter;
  session.reporter = (event) => {
    progressFile.report(event);
    callerReporter(event);
  };
  const { run, state, reporter, backend } = session;
  run.sessions.push({ startedAt: new Date().toISOString(), backend: backend.name, workers: session.options.workers ?? 1, ...(resumedAt ? { resumedAt } : {}) });
  reporter({ type: 'start', runDir: session.paths.runDir, backend: backend.name, backendReason: backend.reason, resumedAt });
  try {
    session.trainer = await startTrainer(session);
    for (let epoch = state.epochsCompleted + 1; epoch <= state.config.epochs; epoch++) {
      const finished = await trainEpoch(session, epoch);
      if (!finished) return await stop(session, 'interrupted', session.options.signal?.reason);
      await finishEpoch(session, epoch);
      if (session.options.signal?.aborted && epoch < state.config.epochs) return await stop(session, 'interrupted', session.options.signal.reason);
    }
    return await stop(session, 'completed');
  } catch (error) {
    const failure = asWriteFailure(error, session) ?? error;
    await recordFailure(session, failure);
    throw failure;
  } finally {
    await progressFile.close();
    await session.trainer?.close();
    session.model.dispose();
    session.optimizer.dispose();
  }
}

function startTrainer(session: Session): Promise<ParallelTrainer> {
  const { backend, model, options } = session;
  // Workers get the backend the main thread actually got, never 'auto', so every replica computes alike.
  const workerBackend = preferenceOf(backend.name);
  return ParallelTrainer.start(model, { workers: options.workers ?? 1, backend: workerBackend });
}

/** Trains one epoch from state.nextBatch; false when an abort stopped it early. */
async function trainEpoch(session: Session, epoch: number): Promise<boolean> {
  const { state, trainSet, reporter } = session;
  const { batchSize, seed } = state.config;
  const batches = batchCount(trainSet.count, batchSize);
  reporter({ type: 'epoch-start', epoch, epochs: state.config.epochs, batches, startBatch: state.nextBatch });
  const partial = state.partialEpoch;
  const resumedSeconds = partial.seconds;
  const started = performance.now();
  const order = iterateBatches(trainSet, { batchSize, seed: runSeeds.shuffle(seed, epoch), startBatch: state.nextBatch });
  for (const batch of rotated(order, session.options.perturbation?.batchShift ?? 0)) {
    const loss = await runStep(session, batch, epoch, batches);
    state.step += 1;
    state.nextBatch += 1;
    partial.lossSum += loss;
    partial.batches += 1;
    partial.images += batch.labels.length;
    partial.seconds = resumedSeconds + (performance.now() - started) / 1000;
    reporter({ type: 'step', epoch, batch: state.nextBatch, batches, images: partial.images, totalImages: trainSet.count, loss, runningLoss: partial.lossSum / partial.batches, seconds: partial.seconds });
    // Signal handlers only run when the event loop gets a turn; give it one after every step.
    await new Promise((resolve) => setImmediate(resolve));
    // Even after the epoch's last batch: resume then runs the evaluation, so a stop request is answered at once.
    if (session.options.signal?.aborted) return false;
  }
  return true;
}

/** The batches of `order` with the first `shift` moved to the end (0: as they come). */
function* rotated(order: Iterable<Batch>, shift: number): Generator<Batch> {
  const skipped: Batch[] = [];
  for (const batch of order) {
    if (skipped.length < shift) skipped.push(batch);
    else yield batch;
  }
  yield* skipped;
}

async function runStep(session: Session, batch: Batch, epoch: number, batches: number): Promise<number> {
  const { state, optimizer, trainer } = session;
  const { latentDim, seed, kl } = state.config;
  const n = batch.labels.length;
  const images = session.options.injectNanAtStep === state.step + 1 ? poisoned(batch.images) : batch.images;
  const eps = new SeededRandom(runSeeds.stepEps(seed, epoch, state.nextBatch)).normals(n * latentDim);
  try {
    if (!trainer) throw new Error('runStep: the trainer was not started');
    const klWeight = session.options.perturbation?.klWeight ?? state.config.beta;
    return await trainer.step(optimizer, { images, eps }, { kl, klWeight });
  } catch (error) {
    const where = `epoch ${epoch}, step ${state.step + 1} (batch ${state.nextBatch + 1}/${batches})`;
    const intact = `the update was not applied and ${path.join(session.paths.runDir, 'checkpoints', 'last')} (epoch ${state.epochsCompleted}, saved at the last epoch end) is intact`;
    if (error instanceof NonFiniteLossError) throw new TrainingError(`training stopped: loss is ${error.loss} at ${where}; ${intact}`);
    if (error instanceof WorkerFailedError) throw new TrainingError(`training stopped: ${error.message} at ${where}; ${intact}`);
    throw error;
  }
}

const WRITE_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
};

/** A failed write of a run file, as one line naming the path and the checkpoint that is still good. */
function asWriteFailure(error: unknown, session: Session): TrainingError | undefined {
  const { code, path: file } = error as NodeJS.ErrnoException;
  if (code === undefined || WRITE_ERRORS[code] === undefined) return undefined;
  const last = path.join(session.paths.runDir, 'checkpoints', 'last');
  return new TrainingError(`training stopped: cannot write ${file ?? session.paths.runDir}: ${WRITE_ERRORS[code]} (${code}); ${last} (epoch ${session.state.epochsCompleted}) is intact`);
}

function poisoned(images: Float32Array): Float32Array {
  const copy = images.slice();
  copy[0] = NaN;
  return copy;
}

/** Evaluation, sample grid, metrics line, then checkpoints: best first, so a crash between the two never leaves `last` ahead of `best`. */
async function finishEpoch(session: Session, epoch: number): Promise<void> {
  const { state, paths, reporter } = session;
  const partial = state.partialEpoch;
  reporter({ type: 'evaluating', epoch, count: session.testSet.count });
  const evalStart = performance.now();
  // Always the Monte Carlo ELBO of `cvae eval` (whatever KL estimator the run trains with), so every run's
  // metrics.jsonl is comparable with every other run and with `cvae eval` on its checkpoints.
  if (!session.trainer) throw new Error('finishEpoch: the trainer was not started');
  const count = session.testSet.count;
  const { metrics: test, perImage } = await evaluateTestSetPerImage(session.trainer.replicas, session.testSet, (done) => reporter({ type: 'eval-progress', epoch, done, count }));
  const evalSeconds = (performance.now() - evalStart) / 1000;
  if (!Number.isFinite(test.elbo)) {
    throw new TrainingError(`training stopped: test ELBO is ${test.elbo} after epoch ${epoch}, step ${state.step}; checkpoints/last (epoch ${epoch - 1}) is intact`);
  }
  const metrics: EpochMetrics = {
    epoch,
    step: state.step,
    trainLoss: partial.lossSum / partial.batches,
    testElbo: test.elbo,
    testElboStdErr: test.elboStdErr,
    reconMse: test.reconMse,
    kl: test.kl,
    epochSeconds: partial.seconds,
    imagesPerSecond: partial.images / partial.seconds,
    backend: session.backend.name,
    // The whole process (worker threads share it), after the epoch's evaluation: a growing number is a leak.
    rssMb: liveRssMb(),
  };
  const saveStart = performance.now();
  await writeFileAtomic(paths.sample(epoch), encodePng(renderSampleGrid(session.model, session.sampleEps)));
  await appendJsonLine(paths.metrics, metrics);
  session.testImages ??= testImagesIdentity(session.testSet, state.config.dataDir);
  await writeTestMetrics(paths.runDir, { epoch, step: state.step, latentDim: state.config.latentDim }, session.testImages, perImage);
  const isBest = state.bestTestElbo === null || test.elbo > state.bestTestElbo;
  state.epochsCompleted = epoch;
  state.nextBatch = 0;
  state.partialEpoch = emptyPartialEpoch();
  if (isBest) state.bestTestElbo = test.elbo;
  const extraFiles = await checkpointExtraFiles(session);
  if (isBest) await saveCheckpoint(paths.bestCheckpoint, session.model, checkpointMeta(session), extraFiles);
  await saveCheckpoint(paths.lastCheckpoint, session.model, checkpointMeta(session), extraFiles);
  session.run.timings.epochs.push({ epoch, trainSeconds: metrics.epochSeconds, evalSeconds, saveSeconds: (performance.now() - saveStart) / 1000 });
  await writeRunJson(session);
  reporter({ type: 'epoch-end', metrics, test, isBest, evalSeconds });
}

async function stop(session: Session, status: 'completed' | 'interrupted', reason?: unknown): Promise<TrainResult> {
  const { state, paths, reporter } = session;
  if (status === 'interrupted') {
    // Mid-epoch: save the position so resume replays the rest of this epoch's shuffle with the same eps.
    if (state.nextBatch > 0) await saveCheckpoint(paths.lastCheckpoint, session.model, checkpointMeta(session), await checkpointExtraFiles(session));
    reporter({ type: 'interrupted', epoch: state.epochsCompleted + (state.nextBatch > 0 ? 1 : 0), batch: state.nextBatch, step: state.step, reason: String(reason ?? 'aborted') });
  }
  await writeProgressGif(paths, state.epochsCompleted);
  if (status === 'completed') await writeLatentScatter(session);
  session.run.status = status;
  await writeRunJson(session);
  if (status === 'completed') reporter({ type: 'done', epochs: state.epochsCompleted, step: state.step, seconds: session.run.timings.totalSeconds });
  const metrics = await readMetrics(paths.metrics);
  return { status, runDir: paths.runDir, epochsCompleted: state.epochsCompleted, step: state.step, metrics };
}

async function recordFailure(session: Session, error: unknown): Promise<void> {
  session.run.status = 'failed';
  session.run.error = error instanceof Error ? error.message : String(error);
  try {
    await writeRunJson(session);
  } catch {
    // The original error matters more than a run.json we could not update.
  }
}

// ---------------------------------------------------------------------------------------------
// Files

async function checkpointExtraFiles(session: Session): Promise<Record<string, Uint8Array>> {
  return {
    ...(await serializeOptimizerState(session.optimizer)),
    [TRAINING_STATE_FILE]: new TextEncoder().encode(`${JSON.stringify(session.state, null, 2)}\n`),
  };
}

function checkpointMeta(session: Session) {
  const { state, backend } = session;
  const { config } = state;
  return {
    epoch: state.epochsCompleted,
    step: state.step,
    seeds: { seed: config.seed, init: runSeeds.init(config.seed) },
    dataset: { ...session.dataset, ...(config.limit === undefined ? {} : { limit: config.limit }) },
    backend: backend.name,
    extra: { nextBatch: state.nextBatch, kl: config.kl, learningRate: config.learningRate, batchSize: config.batchSize },
  };
}

/** Animated GIF of every epoch's grid on disk (so a resumed run includes the epochs of earlier sessions). */
async function writeProgressGif(paths: RunPaths, epochs: number): Promise<void> {
  const frames = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    if (await pathExists(paths.sample(epoch))) frames.push(decodeImagePng(new Uint8Array(await fs.readFile(paths.sample(epoch)))));
  }
  if (frames.length > 0) await writeFileAtomic(paths.progressGif, encodeGif(frames));
}

/**
 * The finished model's test-set posterior means coloured by digit (the viewer's Samples page shows it):
 * z0/z1 for a 2-D latent, the means' principal plane for a larger one; about 1–2 s for 10,000 images.
 */
async function writeLatentScatter(session: Session): Promise<void> {
  await writePng(session.paths.latentScatter, renderLatentScatter(session.model, session.testSet));
}

async function writeRunJson(session: Session): Promise<void> {
  const { run } = session;
  const sessionSeconds = (performance.now() - session.sessionStart) / 1000;
  const current = run.sessions[run.sessions.length - 1];
  const now = new Date().toISOString();
  if (current) current.endedAt = now;
  run.endedAt = now;
  const earlier = run.sessions.slice(0, -1).reduce((total, s) => total + (s.endedAt ? (Date.parse(s.endedAt) - Date.parse(s.startedAt)) / 1000 : 0), 0);
  run.timings.totalSeconds = earlier + sessionSeconds;
  await writeJsonAtomic(session.paths.runJson, run);
}

function newRunInfo(name: string, config: TrainConfig, backend: BackendChoice, dataset: DatasetIdentity): RunInfo {
  return {
    name,
    status: 'running',
    config,
    dataset,
    backend: describeBackend(backend),
    versions: { node: process.version, tfjs: tf.version_core, cvae: cvaeVersion() },
    startedAt: new Date().toISOString(),
    sessions: [],
    timings: { epochs: [], totalSeconds: 0 },
  };
}

function describeBackend(backend: BackendChoice): RunInfo['backend'] {
  return { name: backend.name, preference: backend.preference, reason: backend.reason };
}

function emptyPartialEpoch(): TrainingState['partialEpoch'] {
  return { lossSum: 0, batches: 0, images: 0, seconds: 0 };
}

/** The training package's version (src/ and dist/ both sit next to package.json). */
function cvaeVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The process's resident set in MB. Under `node --expose-gc` this thread's garbage is collected first, so the
 * number is what stays alive (without it, an epoch's garbage awaiting the next GC reads as growth).
 */
function liveRssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage.rss() / 2 ** 20;
}
