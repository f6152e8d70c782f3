export { ReplicaPool, WorkerFailedError, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_START_TIMEOUT_MS } from './pool';
export type { ReplicaPoolOptions, ReplicaRequest, ReplicaResponse } from './pool';
export { CRASH_ENV, faultFromEnv, flatSize, flattenTensors, flatToSnapshot, unflattenToTensors } from './protocol';
export type { ReplicaTask, TaskResult, WorkerFault } from './protocol';
export { workerCodeSource } from './worker-entry';
export type { WorkerCodeSource } from './worker-entry';
export { shardRanges } from './shards';
export type { ShardRange } from './shards';
