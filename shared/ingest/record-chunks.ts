// PutRecordBatch limits: at most 500 records and 4 MiB of record data per call. Chunks keep the
// request order so per-entry results map back to their records.
import { config } from '../config.js';

export interface ChunkLimits {
  maxRecords: number;
  maxBytes: number;
}

export const putRecordBatchLimits: ChunkLimits = {
  maxRecords: config.firehose.putRecordBatchMaxRecords,
  maxBytes: config.firehose.putRecordBatchMaxBytes,
};

/** Positions of `records` (all, or those in `positions`) grouped into calls within the limits. */
export function chunkRecords(
  records: readonly Uint8Array[],
  limits: ChunkLimits = putRecordBatchLimits,
  positions: readonly number[] = records.map((_, i) => i),
): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  for (const position of positions) {
    const size = (records[position] as Uint8Array).length;
    if (current.length > 0 && (current.length === limits.maxRecords || bytes + size > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(position);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
