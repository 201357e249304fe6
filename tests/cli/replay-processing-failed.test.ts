// `eventlake replay processing-failed`: Firehose error output (records the transform never answered
// Ok for, and transformed records that could not be partitioned) goes through the transform again.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pack } from '#shared/transform/packed-record.js';
import { transformRecord } from '#shared/transform/transform-record.js';
import { runReplay } from '../../local/tools/replay/replay.js';
import type { ReplayOutcome } from '../../local/tools/replay/run.js';
import { captureIo, lakeRows, pageView, putIngestObject, tempDataDir, today } from './lake.js';

let dataDir: string;
const crashed = pageView();
const unpartitioned = pageView();
// A packed record from the ingest λ the transform answered ProcessingFailed (its second event fails).
const packedEvents = [pageView(), pageView({ attributes: { url: 42 } }), pageView()];
const arrival = Date.now() - 60_000;

/** A line of Firehose error output, as the local delivery stream writes it. */
const errorLine = (rawData: Buffer, errorCode: string) =>
  JSON.stringify({
    attemptsMade: 4,
    arrivalTimestamp: arrival,
    errorCode,
    errorMessage: 'The Lambda function was successfully invoked but it returned an error result.',
    attemptEndingTimestamp: arrival + 5_000,
    rawData: rawData.toString('base64'),
    lambdaArn: 'arn:aws:lambda:eu-west-1:000000000000:function:eventlake-local-transform:$LATEST',
  });

// The device clock runs two minutes fast: the transform corrects event_time and keeps the original.
const skewed = {
  ...unpartitioned,
  sent_at: arrival + 120_000,
  server_received_at: arrival,
  event_time: new Date(arrival - 600_000).toISOString(),
};
const transformed = transformRecord(
  { recordId: '1', data: Buffer.from(JSON.stringify(skewed)).toString('base64'), approximateArrivalTimestamp: arrival },
  { deliveryStream: 'eventlake-local-direct' },
);

beforeAll(() => {
  dataDir = tempDataDir();
  putIngestObject(dataDir, `processing-failed/dt=${today()}/eventlake-local-direct-1-crashed.gz`, [
    errorLine(Buffer.from(JSON.stringify(crashed)), 'Lambda.FunctionError'),
    errorLine(Buffer.from('{"event_id": "truncated'), 'Lambda.FunctionError'),
    errorLine(Buffer.from(pack(packedEvents.map((e) => JSON.stringify(e)))), 'Lambda.ProcessingFailedStatus'),
  ]);
  putIngestObject(dataDir, `partitioning-failed/dt=${today()}/eventlake-local-direct-1-unplaced.gz`, [
    errorLine(Buffer.from(`${transformed.json}\n`), 'DynamicPartitioning.MetadataExtractionFailed'),
  ]);
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('eventlake replay processing-failed', () => {
  it('re-submits the original records, unpacks packed ones and rebuilds the envelope of transformed ones', async () => {
    expect(transformed.json).toContain('"time_correction":"clock_skew"');
    const out = captureIo();
    const code = await runReplay(['processing-failed', '--data-dir', dataDir, '--json'], out.io);
    expect(out.stderr()).toBe('');
    expect(code).toBe(0);
    const outcome = JSON.parse(out.stdout()) as ReplayOutcome;
    expect(outcome.objectsRead).toBe(2);
    expect(outcome.recordsRead).toBe(4);
    expect(outcome.replayed).toBe(6);
    expect(outcome.landed.valid).toBe(4);
    expect(outcome.landed.failed).toEqual({ malformed_json: 1, schema_violation: 1 });
    expect(outcome.curated.rowsAdded).toBe(4);
    const rows = await lakeRows(
      dataDir,
      `SELECT event_id, epoch_ms(event_time), time_correction FROM events ORDER BY event_id`,
    );
    const byId = new Map(rows.map(([id, ms, correction]) => [id, { ms: Number(ms), correction }]));
    expect(byId.get(crashed.event_id as string)?.ms).toBe(Date.parse(crashed.event_time as string));
    expect(byId.has(packedEvents[0]?.event_id as string) && byId.has(packedEvents[2]?.event_id as string)).toBe(true);
    expect(byId.has(packedEvents[1]?.event_id as string)).toBe(false);
    // Corrected once, as the first pass did, not twice.
    const firstPass = JSON.parse(transformed.json) as { event_time: string };
    expect(byId.get(unpartitioned.event_id as string)).toEqual({
      ms: Date.parse(firstPass.event_time),
      correction: 'clock_skew',
    });
  });

  it('skips the replayed objects the second time', async () => {
    const out = captureIo();
    expect(await runReplay(['processing-failed', '--data-dir', dataDir, '--json'], out.io)).toBe(0);
    const outcome = JSON.parse(out.stdout()) as ReplayOutcome;
    expect(outcome).toMatchObject({ objectsRead: 0, objectsSkipped: 2, replayed: 0 });
  });
});
