export { ParallelTrainer } from './parallel-step';
export type { ParallelTrainerOptions, StepBatch } from './parallel-step';
export { GradientWorkerPool, WorkerFailedError, DEFAULT_STEP_TIMEOUT_MS, DEFAULT_START_TIMEOUT_MS } from './pool';
export { shardRanges, computeShardGradients } from './shard';
export { workerCodeSource } from '@cvae/model';
export { CRASH_ENV } from './protocol';
export { benchmarkTraining } from './bench';
export type { BenchmarkOptions, BenchmarkResult } from './bench';
