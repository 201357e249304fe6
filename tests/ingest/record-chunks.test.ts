import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkRecords, putRecordBatchLimits } from '#shared/ingest/record-chunks.js';

const MiB = 1024 * 1024;
const records = (sizes: readonly number[]) => sizes.map((size) => new Uint8Array(size));

describe('chunkRecords', () => {
  it('uses the PutRecordBatch limits from the pipeline config', () => {
    expect(putRecordBatchLimits).toEqual({ maxRecords: 500, maxBytes: 4 * MiB });
  });

  it('puts exactly 500 records in one call and the 501st in the next', () => {
    expect(chunkRecords(records(Array(500).fill(10))).map((c) => c.length)).toEqual([500]);
    expect(chunkRecords(records(Array(501).fill(10))).map((c) => c.length)).toEqual([500, 1]);
    expect(chunkRecords(records(Array(1000).fill(10))).map((c) => c.length)).toEqual([500, 500]);
  });

  it('fills a call up to exactly 4 MiB and starts a new one one byte later', () => {
    const exact = records([MiB, MiB, MiB, MiB]);
    expect(chunkRecords(exact)).toEqual([[0, 1, 2, 3]]);
    const over = records([MiB, MiB, MiB, MiB, 1]);
    expect(chunkRecords(over)).toEqual([[0, 1, 2, 3], [4]]);
    const oneByteOver = records([2 * MiB, 2 * MiB + 1]);
    expect(chunkRecords(oneByteOver)).toEqual([[0], [1]]);
  });

  it('chunks only the given positions, in order (re-sends)', () => {
    const all = records([10, 20, 30, 40, 50]);
    expect(chunkRecords(all, { maxRecords: 2, maxBytes: 1000 }, [1, 3, 4])).toEqual([[1, 3], [4]]);
  });

  it('keeps every chunk within both limits and every record exactly once, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 400, max: 2000 }),
        (sizes, maxRecords, maxBytes) => {
          const chunks = chunkRecords(records(sizes), { maxRecords, maxBytes });
          expect(chunks.flat()).toEqual(sizes.map((_, i) => i));
          for (const chunk of chunks) {
            expect(chunk.length).toBeGreaterThan(0);
            expect(chunk.length).toBeLessThanOrEqual(maxRecords);
            expect(chunk.reduce((sum, i) => sum + (sizes[i] ?? 0), 0)).toBeLessThanOrEqual(maxBytes);
          }
        },
      ),
    );
  });
});
