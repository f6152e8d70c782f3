/** One shard of a batch: rows [start, start + size). */
export interface ShardRange {
  start: number;
  size: number;
}

/**
 * Splits `batchSize` rows into at most `shards` contiguous, non-empty ranges whose sizes differ by at
 * most one (earlier shards take the remainder). A batch smaller than `shards` yields fewer shards.
 */
export function shardRanges(batchSize: number, shards: number): ShardRange[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`shardRanges: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shardRanges: shards must be a positive integer, got ${shards}`);
  const count = Math.min(shards, batchSize);
  const base = Math.floor(batchSize / count);
  const remainder = batchSize % count;
  const ranges: ShardRange[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < remainder ? 1 : 0);
    ranges.push({ start, size });
    start += size;
  }
  return ranges;
}
