// `eventlake replay failed`: failed-event records whose payload is now valid reach curated Parquet
// exactly once, however often they are replayed; still-invalid ones become failed records again; the
// ledger makes a repeated replay a no-op; the original objects stay as the audit trail.
import { existsSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localBucketNames, objectPath } from '../../local/s3/buckets.js';
import { readReplayLedger } from '../../local/tools/replay/ledger.js';
import { runReplay } from '../../local/tools/replay/replay.js';
import type { ReplayOutcome } from '../../local/tools/replay/run.js';
import {
  buildLake,
  captureIo,
  failedEventLine,
  lakeRows,
  pageView,
  putIngestObject,
  tempDataDir,
  today,
} from './lake.js';

let dataDir: string;
const nowValid = pageView();
const stillInvalid = pageView({ event_type: 'coupon_redeemed', attributes: { code: 'X' } });
const base64Valid = pageView();
const failedKey = `failed/type=unknown_event_type/dt=${today()}/eventlake-local-direct-1-handwritten-a.gz`;
const base64Key = `failed/type=unknown_event_type/dt=2020-01-01/eventlake-local-direct-1-handwritten-b.gz`;

async function replay(...args: string[]): Promise<ReplayOutcome> {
  const out = captureIo();
  const code = await runReplay(
    ['failed', '--type', 'unknown_event_type', '--data-dir', dataDir, '--json', ...args],
    out.io,
  );
  expect(out.stderr()).toBe('');
  expect(code).toBe(0);
  return JSON.parse(out.stdout()) as ReplayOutcome;
}

const curatedCopies = async (eventId: unknown) =>
  Number((await lakeRows(dataDir, `SELECT count(*) FROM events WHERE event_id = '${eventId}'`))[0]?.[0]);

beforeAll(async () => {
  dataDir = tempDataDir();
  await buildLake(dataDir, 100);
  // As if these had failed before the schema of page_view existed: their payloads are valid now.
  putIngestObject(dataDir, failedKey, [
    failedEventLine('unknown_event_type', JSON.stringify(nowValid)),
    failedEventLine('unknown_event_type', JSON.stringify(stillInvalid)),
  ]);
  const bytes = Buffer.from(JSON.stringify(base64Valid)).toString('base64');
  putIngestObject(dataDir, base64Key, [
    failedEventLine('unknown_event_type', bytes, 'base64'),
    '{"failure_type":"unknown_event_type"}',
  ]);
}, 30_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('eventlake replay failed', () => {
  it('--since leaves older partitions alone', async () => {
    const outcome = await replay('--since', '2099-01-01');
    expect(outcome.objectsRead).toBe(0);
    expect(outcome.replayed).toBe(0);
  });

  it('sends the payloads through the transform: valid ones to curated, invalid ones failed again', async () => {
    const outcome = await replay();
    expect(outcome.objectsRead).toBe(2);
    expect(outcome.recordsRead).toBe(4);
    expect(outcome.unreadable).toBe(1);
    expect(outcome.replayed).toBe(3);
    expect(outcome.landed.valid).toBe(2);
    expect(outcome.landed.failed).toEqual({ unknown_event_type: 1 });
    expect(outcome.curated.rowsAdded).toBe(2);
    expect(await curatedCopies(nowValid.event_id)).toBe(1);
    expect(await curatedCopies(base64Valid.event_id)).toBe(1);
    const failedAgain = await lakeRows(
      dataDir,
      `SELECT count(*) FROM failed_events WHERE event_id = '${stillInvalid.event_id}' AND failure_type = 'unknown_event_type'`,
    );
    expect(Number(failedAgain[0]?.[0])).toBe(2);
    // The originals are the audit trail: kept, and listed in the ledger.
    for (const key of [failedKey, base64Key]) {
      expect(existsSync(objectPath(dataDir, { bucket: localBucketNames.ingest, key }))).toBe(true);
    }
    const ledger = await readReplayLedger(dataDir);
    expect(ledger.objects[failedKey]).toMatchObject({ times: 1, records: 2 });
    expect(Object.keys(ledger.outputs)).toHaveLength(1);
  });

  it('skips what was replayed (and what the replay wrote) when run again', async () => {
    const outcome = await replay();
    expect(outcome.objectsRead).toBe(0);
    expect(outcome.objectsSkipped).toBe(3);
    expect(outcome.replayed).toBe(0);
  });

  it('--force replays again without doubling a valid event', async () => {
    const outcome = await replay('--force');
    expect(outcome.objectsRead).toBe(3);
    // The still-invalid payload is in the original and in the replay's copy: sent once.
    expect(outcome.identical).toBe(1);
    expect(outcome.replayed).toBe(3);
    expect(outcome.curated.rowsAdded).toBe(0);
    expect(outcome.curated.duplicatesRemoved).toBe(2);
    expect(outcome.landed.failed).toEqual({ unknown_event_type: 1 });
    expect(await curatedCopies(nowValid.event_id)).toBe(1);
    expect(await curatedCopies(base64Valid.event_id)).toBe(1);
    expect((await readReplayLedger(dataDir)).objects[failedKey]?.times).toBe(2);
  });

  it('rejects an unknown failure type and a malformed --since as usage errors', async () => {
    const bad = captureIo();
    expect(await runReplay(['failed', '--type', 'nonsense', '--data-dir', dataDir], bad.io)).toBe(2);
    expect(bad.stderr()).toContain('unknown failure type nonsense');
    const since = captureIo();
    expect(await runReplay(['failed', '--type', 'malformed_json', '--since', '1/2/2024'], since.io)).toBe(2);
  });
});
