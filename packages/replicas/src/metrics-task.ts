/** The built-in 'metrics' task: a chunk's metrics computed on a worker's replica, exactly as on the main thread. */
import { computeMetricChunk, MetricChunk } from '@cvae/model';
import type { ReplicaTask } from './protocol';

export const runTask: ReplicaTask<MetricChunk, Float32Array> = (model, chunk) => {
  const values = computeMetricChunk(model, chunk);
  return { result: values, transfer: [values.buffer as ArrayBuffer] };
};
