// start-reports on a batch that cannot all start in time: bounded concurrency, a fake clock that
// advances with every StartQueryExecution, and a fake Athena that honours ClientRequestToken.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueryRequest } from '#shared/ports.js';
import { loadReportCatalogue } from '#shared/reports/catalogue.js';
import { makeStartReportsHandler } from '../../functions/start-reports.js';
import { LocalS3 } from '../../local/s3/s3.js';
import { buckets, failedIds, s3Message, sqsEvent } from './sqs-fixtures.js';

const reports = loadReportCatalogue(path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/reports'));
const TIMEOUT_MS = 60_000;
const RESERVE_MS = 10_000;
const START_MS = 130;

const dates = (n: number) =>
  Array.from({ length: n }, (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
const markers: Record<string, string[]> = {
  small: dates(2),
  wide: dates(200),
  late: dates(2).map((d) => `2026${d.slice(4)}`),
};
const markerBody = (run: string) =>
  new TextEncoder().encode(
    JSON.stringify({
      job_run_id: `jr_${run}`,
      partitions: (markers[run] ?? []).map((dt) => ({ event_type: 'a', dt, rows: 1 })),
    }),
  );
const batch = (...runs: string[]) =>
  sqsEvent(runs.map((run) => s3Message(run, buckets.lake, [`_runs/jr_${run}.json`])));

/** Athena as far as tokens go: a known token answers its query id and starts nothing. */
function fakeAthena() {
  const byToken = new Map<string, string>();
  const executions: QueryRequest[] = [];
  let clock = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    executions,
    resetClock: () => {
      clock = 0;
    },
    stats: () => ({ maxInFlight, clock }),
    remainingTimeMs: () => TIMEOUT_MS - clock,
    startQuery: async (request: QueryRequest) => {
      clock += START_MS;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      const known = byToken.get(request.clientRequestToken);
      if (known) return known;
      executions.push(request);
      const id = `q-${executions.length}`;
      byToken.set(request.clientRequestToken, id);
      return id;
    },
  };
}

let dataDir: string;
let s3: LocalS3;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-start-reports-'));
  s3 = new LocalS3({ dataDir });
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('start-reports within the λ timeout', () => {
  it('stops starting at the reserve, fails exactly the messages with unstarted queries, and a redelivery finishes them', async () => {
    const athena = fakeAthena();
    const calls: string[] = [];
    const handler = makeStartReportsHandler({
      getObjectWithETag: s3.getObjectWithETag,
      putObject: s3.putObject,
      getObject: async (ref) => markerBody(ref.key.slice('_runs/jr_'.length, -'.json'.length)),
      startQuery: (request) => {
        calls.push(request.clientRequestToken);
        return athena.startQuery(request);
      },
      reports,
      lakeBucket: buckets.lake,
      resultReuseMaxAgeMinutes: 60,
      concurrency: 4,
      reserveMs: RESERVE_MS,
      remainingTimeMs: athena.remainingTimeMs,
    });
    const total = (2 + 200 + 2) * reports.length;
    // Starts while at least RESERVE_MS remain: clock ≤ 50,000 ms at 130 ms a start.
    const fit = Math.floor((TIMEOUT_MS - RESERVE_MS) / START_MS) + 1;
    expect(fit).toBeLessThan(total);

    expect(failedIds(await handler(batch('small', 'wide', 'late')))).toEqual(['late', 'wide']);
    expect(athena.executions).toHaveLength(fit);
    expect(athena.stats().maxInFlight).toBe(4);
    expect(athena.executions.slice(0, 2 * reports.length).map((q) => q.queryString.split('\n')[0])).toEqual([
      '-- eventlake:report=daily_events dt=2025-01-01',
      '-- eventlake:report=failure_types dt=2025-01-01',
      '-- eventlake:report=daily_events dt=2025-01-02',
      '-- eventlake:report=failure_types dt=2025-01-02',
    ]);

    // The started half of the wide marker is recorded beside it; the small one needed no record.
    const recorded = JSON.parse(
      Buffer.from(await s3.getObject({ bucket: buckets.lake, key: '_runs/jr_wide.reports-started' })).toString(),
    );
    expect(recorded).toHaveLength(fit - 2 * reports.length);
    await expect(s3.getObject({ bucket: buckets.lake, key: '_runs/jr_small.reports-started' })).rejects.toMatchObject({
      name: 'NoSuchKey',
    });

    // SQS redelivers the two failed messages to a fresh invocation: only the unstarted queries are called.
    athena.resetClock();
    calls.length = 0;
    await expect(handler(batch('wide', 'late'))).resolves.toEqual({ batchItemFailures: [] });
    expect(calls).toHaveLength(total - fit);
    expect(athena.executions).toHaveLength(total);
    expect(new Set(athena.executions.map((q) => q.clientRequestToken)).size).toBe(total);
    const markersStarted = new Set(athena.executions.map((q) => q.queryString.split('\n')[0]));
    // small's two dates are also wide's first two: the same report and date, two runs, two queries.
    expect(markersStarted.size).toBe((200 + 2) * reports.length);
  });

  it('starts nothing and fails every message when the λ is already inside its reserve', async () => {
    const athena = fakeAthena();
    const handler = makeStartReportsHandler({
      getObject: async (ref) => markerBody(ref.key.slice('_runs/jr_'.length, -'.json'.length)),
      startQuery: athena.startQuery,
      reports,
      lakeBucket: buckets.lake,
      resultReuseMaxAgeMinutes: 60,
      reserveMs: RESERVE_MS,
      remainingTimeMs: () => RESERVE_MS - 1,
    });
    expect(failedIds(await handler(batch('small', 'late')))).toEqual(['late', 'small']);
    expect(athena.executions).toHaveLength(0);
  });
});
