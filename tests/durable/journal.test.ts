// The Firehose journal: what an append returns is on disk, concurrent appends share one fsync, a
// reopen hands back exactly the acknowledged records not delivered, a torn tail is cut off, and a
// failing disk rejects the append (nothing acknowledged) without spoiling what came before.
import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveredRanges } from '../../local/firehose/delivered-ranges.js';
import { Journal, JournalWriteFailed } from '../../local/firehose/journal.js';
import { type JournalFiles, nodeJournalFiles } from '../../local/firehose/journal-files.js';
import { decodeFrames, encodeFrame } from '../../local/firehose/journal-frames.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'eventlake-journal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (text: string, partitionKey?: string) => ({
  arrival: 1_700_000_000_000,
  data: Buffer.from(text),
  ...(partitionKey === undefined ? {} : { partitionKey }),
});
const texts = (records: { data: Uint8Array }[]) => records.map((r) => Buffer.from(r.data).toString());
const segments = () => readdirSync(dir).filter((n) => n.startsWith('journal-'));

/** node:fs, with writes that fail with `code` while `failing` is set (after writing `partial` bytes). */
function flakyFiles(state: { failing: string | undefined; partial: number }): JournalFiles {
  return {
    ...nodeJournalFiles,
    openAppend: async (file) => {
      const real = await nodeJournalFiles.openAppend(file);
      return {
        ...real,
        write: async (bytes) => {
          if (state.failing === undefined) return real.write(bytes);
          await real.write(bytes.subarray(0, state.partial));
          throw Object.assign(new Error(`${state.failing}: simulated`), { code: state.failing });
        },
      };
    },
  };
}

describe('frames', () => {
  it('round-trip data, arrival, sequence and partition key; stop at a corrupt frame', () => {
    const a = encodeFrame({ seq: 7, arrival: 123, data: Buffer.from('{"a":1}') });
    const b = encodeFrame({ seq: 8, arrival: 456, data: Buffer.from('x'), partitionKey: 'dev-1' });
    const decoded = decodeFrames(Buffer.concat([a, b]));
    expect(decoded.records.map((r) => [r.seq, r.arrival, r.partitionKey])).toEqual([
      [7, 123, undefined],
      [8, 456, 'dev-1'],
    ]);
    expect(texts(decoded.records)).toEqual(['{"a":1}', 'x']);
    const corrupt = Buffer.concat([a, b]);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1);
    expect(decodeFrames(corrupt).records).toHaveLength(1);
    expect(decodeFrames(corrupt).discardedBytes).toBe(b.length);
  });

  it('delivered ranges merge and answer membership', () => {
    const ranges = new DeliveredRanges();
    ranges.add([5, 3, 4, 9]);
    ranges.add([6, 7, 8]);
    expect(ranges.toJSON()).toEqual([[3, 9]]);
    expect([2, 3, 9, 10].map((s) => ranges.has(s))).toEqual([false, true, true, false]);
    ranges.dropBelow(5);
    expect(ranges.toJSON()).toEqual([[5, 9]]);
  });
});

describe('journal', () => {
  it('acknowledges appends with increasing sequence numbers; concurrent appends share fsyncs', async () => {
    const { journal, replay } = await Journal.open({ dir });
    expect(replay).toEqual([]);
    const appended = await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append([entry(`e${i}`)])));
    expect(appended.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(journal.stats.appends).toBe(50);
    // The first append starts a round alone; the 49 queued behind it are written and synced together.
    expect(journal.stats.syncs).toBe(2);
    await journal.close();
    const reopened = await Journal.open({ dir });
    expect(texts(reopened.replay)).toEqual(Array.from({ length: 50 }, (_, i) => `e${i}`));
  });

  it('replays only what was not delivered, and never takes a new record for a delivered one', async () => {
    const first = await Journal.open({ dir });
    const seqs = await first.journal.append(['a', 'b', 'c', 'd'].map((t) => entry(t, `k-${t}`)));
    first.journal.delivered([seqs[0] as number, seqs[2] as number]);
    await first.journal.close();
    const second = await Journal.open({ dir });
    expect(texts(second.replay)).toEqual(['b', 'd']);
    expect(second.replay.map((r) => r.partitionKey)).toEqual(['k-b', 'k-d']);
    const [next] = await second.journal.append([entry('e')]);
    expect(next).toBe(4);
    second.journal.delivered([1, 3, 4]);
    await second.journal.seal();
    await second.journal.close();
    expect(segments()).toEqual([]);
    const third = await Journal.open({ dir });
    expect(third.replay).toEqual([]);
    await third.journal.append([entry('f')]);
    await third.journal.close();
    // Whatever number it got, a new record is never mistaken for a delivered one.
    expect(texts((await Journal.open({ dir })).replay)).toEqual(['f']);
  });

  it('cuts a torn tail off and keeps every whole record before it', async () => {
    const { journal } = await Journal.open({ dir });
    await journal.append([entry('one'), entry('two')]);
    await journal.close();
    const [segment] = segments();
    appendFileSync(
      path.join(dir, segment as string),
      encodeFrame({ seq: 2, arrival: 0, data: Buffer.from('three') }).subarray(0, 9),
    );
    const reopened = await Journal.open({ dir });
    expect(texts(reopened.replay)).toEqual(['one', 'two']);
    expect(reopened.journal.stats.discardedBytes).toBe(9);
  });

  it('deletes a sealed segment once all of its records are delivered', async () => {
    const { journal } = await Journal.open({ dir, segmentBytes: 64 });
    const a = await journal.append([entry('x'.repeat(80))]);
    const b = await journal.append([entry('y'.repeat(80))]);
    expect(segments()).toHaveLength(2);
    journal.delivered(a);
    await journal.close();
    expect(segments()).toHaveLength(1);
    const reopened = await Journal.open({ dir });
    expect(reopened.replay.map((r) => r.seq)).toEqual(b);
  });

  it.each(['ENOSPC', 'EROFS', 'EACCES', 'EIO'])('%s: rejects the append, names the fault, recovers', async (code) => {
    const state: { failing: string | undefined; partial: number } = { failing: undefined, partial: 5 };
    const files = flakyFiles(state);
    const { journal } = await Journal.open({ dir, files });
    await journal.append([entry('before')]);
    state.failing = code;
    await expect(journal.append([entry('refused')])).rejects.toThrow(JournalWriteFailed);
    expect(journal.fault).toContain(code);
    state.failing = undefined;
    await journal.append([entry('after')]);
    expect(journal.fault).toBeUndefined();
    await journal.close();
    // The refused record was never acknowledged; the torn frame it left cuts nothing that was.
    const reopened = await Journal.open({ dir });
    expect(texts(reopened.replay)).toEqual(['before', 'after']);
  });
});
