// Two results of the same report and date published at the same moment: whatever the order of
// their S3 calls, the stable CSV and reports/index.json both end on the newer result.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReportIndex, publishedDate } from '#shared/reports/index-file.js';
import { LocalS3 } from '../../local/s3/s3.js';
import {
  indexRef,
  memoryS3,
  publishConcurrently,
  type Result,
  reporting,
  type S3Ports,
  scripted,
  seeded,
  stableCsv,
} from './publish-schedule.js';

const older: Result = { queryExecutionId: 'q-older', eventTime: '2025-11-22T10:00:00.000Z' };
const newer: Result = { queryExecutionId: 'q-newer', eventTime: '2025-11-22T10:05:00.000Z' };

async function lake(previous?: string) {
  const s3 = memoryS3();
  for (const r of [older, newer]) {
    await s3.putObject(
      { bucket: reporting, key: `athena-results/${r.queryExecutionId}.csv` },
      r.queryExecutionId,
      'text/csv',
    );
  }
  if (previous) await s3.putObject(stableCsv, previous, 'text/csv');
  return s3;
}

async function indexed(s3: S3Ports) {
  return publishedDate(parseReportIndex(await s3.getObject(indexRef)), 'daily_events', '2025-11-22');
}

async function expectNewerEverywhere(s3: S3Ports & { text: (ref: typeof stableCsv) => string | undefined }) {
  expect(s3.text(stableCsv)).toBe('q-newer');
  expect(await indexed(s3)).toMatchObject({ queryExecutionId: 'q-newer', resultKey: 'athena-results/q-newer.csv' });
}

// A is the older result, B the newer; each step is one S3 call, run to completion before the next.
const first = ['A:getIndex', 'B:getIndex', 'A:putManifest', 'B:putManifest'];
const olderCopyLast = [
  ...first,
  ...['A:readIndexETag', 'A:putIndex', 'A:readCsv', 'A:getIndex'],
  ...['B:readIndexETag', 'B:putIndex', 'B:readCsv', 'B:getIndex', 'B:copy'],
  'A:copy',
];
const interleavings: Record<string, string[]> = {
  'the older copy lands last (it read the CSV and the index before the newer was indexed)': olderCopyLast,
  "the older's index write first, the newer's copy first, the older's whole copy after": [
    ...first,
    ...['A:readIndexETag', 'A:putIndex', 'B:readIndexETag', 'B:putIndex'],
    ...['B:readCsv', 'B:getIndex', 'B:copy', 'A:readCsv', 'A:getIndex', 'A:copy'],
  ],
  'both read the CSV absent, the older copies first': [
    ...first,
    ...['A:readIndexETag', 'A:putIndex', 'A:readCsv', 'B:readIndexETag', 'B:putIndex', 'B:readCsv'],
    ...['A:getIndex', 'A:copy', 'B:getIndex', 'B:copy'],
  ],
  'both read the CSV absent and the index before the newer was indexed, the newer copies first': [
    ...first,
    ...['A:readIndexETag', 'A:putIndex', 'A:readCsv', 'A:getIndex', 'B:readIndexETag', 'B:putIndex'],
    ...['B:readCsv', 'B:getIndex', 'B:copy', 'A:copy'],
  ],
  'the older finishes before the newer starts its index write': [
    ...first,
    ...['A:readIndexETag', 'A:putIndex', 'A:readCsv', 'A:getIndex', 'A:copy'],
  ],
};

describe('concurrent publishes of one report date', () => {
  for (const [name, script] of Object.entries(interleavings)) {
    for (const previous of [undefined, 'q-yesterday']) {
      it(`${name}${previous ? ', over an earlier CSV' : ', on an absent CSV'}`, async () => {
        const s3 = await lake(previous);
        const choose = scripted(script);
        const outcomes = await publishConcurrently(s3, { A: older, B: newer }, choose);
        expect(choose.rest).toEqual([]);
        expect(outcomes).toEqual({ A: 'published', B: 'published' });
        await expectNewerEverywhere(s3);
      });
    }
  }

  it('the newer is indexed between the older’s first read and its index write: the older is stale and copies nothing', async () => {
    const s3 = await lake();
    const script = [...first, 'B:readIndexETag', 'B:putIndex', 'A:readIndexETag', 'B:readCsv', 'B:getIndex', 'B:copy'];
    const choose = scripted(script);
    const outcomes = await publishConcurrently(s3, { A: older, B: newer }, choose);
    expect(choose.rest).toEqual([]);
    expect(outcomes).toEqual({ A: 'stale', B: 'published' });
    await expectNewerEverywhere(s3);
  });

  it('both index writes race: the older loses the conditional write, re-reads and is stale', async () => {
    const s3 = await lake();
    const script = [...first, 'A:readIndexETag', 'B:readIndexETag', 'B:putIndex', 'A:putIndex'];
    const choose = scripted(script);
    const outcomes = await publishConcurrently(s3, { A: older, B: newer }, choose);
    expect(choose.rest).toEqual([]);
    expect(outcomes).toEqual({ A: 'stale', B: 'published' });
    await expectNewerEverywhere(s3);
  });

  it('ends on the newer result in 300 seeded random interleavings of three publishers', async () => {
    const middle: Result = { queryExecutionId: 'q-middle', eventTime: '2025-11-22T10:02:00.000Z' };
    for (let seed = 1; seed <= 300; seed++) {
      const s3 = await lake(seed % 2 ? 'q-yesterday' : undefined);
      await s3.putObject({ bucket: reporting, key: 'athena-results/q-middle.csv' }, 'q-middle', 'text/csv');
      const outcomes = await publishConcurrently(s3, { A: older, M: middle, B: newer }, seeded(seed));
      expect(outcomes.B, `seed ${seed}`).toBe('published');
      expect(
        [outcomes.A, outcomes.M].every((o) => o === 'published' || o === 'stale'),
        `seed ${seed}`,
      ).toBe(true);
      expect(s3.text(stableCsv), `seed ${seed}`).toBe('q-newer');
      expect((await indexed(s3))?.queryExecutionId, `seed ${seed}`).toBe('q-newer');
    }
  });

  it('stops when the newest entry is another publisher’s whose result object is gone (expired)', async () => {
    const s3 = await lake();
    const play = scripted([
      ...first,
      ...['A:readIndexETag', 'A:putIndex', 'B:readIndexETag', 'B:putIndex', 'B:readCsv', 'B:getIndex', 'B:copy'],
    ]);
    const outcomes = await publishConcurrently(s3, { A: older, B: newer }, (pending) => {
      const at = play(pending);
      // B's result expires once B has copied it, before A looks at the CSV.
      if (pending[at] === 'A:readCsv') s3.remove({ bucket: reporting, key: 'athena-results/q-newer.csv' });
      return at;
    });
    expect(play.rest).toEqual([]);
    expect(outcomes).toEqual({ A: 'published', B: 'published' });
    await expectNewerEverywhere(s3);
  });

  it('fails (the message is retried, then dead-lettered) when its own result object is gone', async () => {
    const s3 = await lake('q-yesterday');
    s3.remove({ bucket: reporting, key: 'athena-results/q-newer.csv' });
    const { B } = await publishConcurrently(s3, { B: newer }, scripted([]));
    expect(B).toMatchObject({ name: 'ConditionalUpdateExhausted', cause: { name: 'NoSuchKey' } });
    expect(s3.text(stableCsv)).toBe('q-yesterday');
  });

  it('the older copy lands last on the local S3 (files, link(2) and lock-file conditions)', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-publish-race-'));
    try {
      const s3 = new LocalS3({ dataDir }).ports();
      for (const r of [older, newer]) {
        const key = `athena-results/${r.queryExecutionId}.csv`;
        await s3.putObject({ bucket: reporting, key }, r.queryExecutionId, 'text/csv');
      }
      await s3.putObject(stableCsv, 'q-yesterday', 'text/csv');
      const choose = scripted(olderCopyLast);
      const outcomes = await publishConcurrently(s3, { A: older, B: newer }, choose);
      expect(choose.rest).toEqual([]);
      expect(outcomes).toEqual({ A: 'published', B: 'published' });
      expect(Buffer.from(await s3.getObject(stableCsv)).toString()).toBe('q-newer');
      expect(await indexed(s3)).toMatchObject({ queryExecutionId: 'q-newer' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
