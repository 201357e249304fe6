// The measured sample the day is built from: demo-mix traffic through the REAL ingest λ (its
// PutRecords port records every Firehose record it is given) and the REAL transform λ (direct and
// Kinesis-sourced batches). What comes out per event — stream, Firehose record size, zone,
// partition, output bytes — is what the simulated day replays.
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEvent, Context, FirehoseTransformationEvent } from 'aws-lambda';
import { config } from '#shared/config.js';
import type { PutRecords } from '#shared/ports.js';
import { demoTrafficMix, generateTraffic, type TrafficItem } from '../../local/tools/traffic/traffic.js';
import { assumptions } from './assumptions.js';

/** Events per API request: `eventlake send`'s default batch. */
export const EVENTS_PER_REQUEST = 100;
const DAY_MS = 86_400_000;
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
/** The longest lag from an event's time to its arrival (see realTime). */
const EVENT_LAG_MAX_S = assumptions.eventLagMaxSeconds;
const context = { getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

export type Stream = 'direct' | 'devices';

/** One Firehose record of the sample, as the transform answered it. */
export interface SampleRecord {
  stream: Stream;
  /** Bytes of the Firehose record (what ingestion bills in 5 KB steps). */
  inBytes: number;
  /** `zone|type` of its partition, or `error` for ProcessingFailed. */
  partition: string;
  /** Its dt as days after T0's day (0 = today, -1 = yesterday, -33 = a late event's day). */
  dayOffset: number;
  /** Bytes of the transformed line. */
  outBytes: number;
  /** Index of the API request it came in (direct only; -1 for devices). */
  request: number;
  /** Events it carries: more than one when the ingest λ packed events sharing partition keys. */
  events: number;
}

export interface Sample {
  records: SampleRecord[];
  /** Events generated, including those the edge rejected (never a Firehose record). */
  events: number;
  rejectedAtEdge: number;
  requests: number;
  /** Wall ms per call of the handlers, measured in this process. */
  ingestMsPerRequest: number;
  transformMsPerRecord: number;
  meanEventBytes: number;
  /** gzip bytes / raw bytes of the transformed lines, gzipped per partition as Firehose writes them. */
  gzipRatio: number;
  /** The transformed NDJSON of the valid events (events/ zone), as the Glue job reads it. */
  validLines: Buffer;
}

/**
 * The demo mix spreads event times over the last 24 hours (to fill the dashboards), so half its
 * events would land in yesterday's dt — and, once that dt is closed, every run would rewrite
 * yesterday's partitions. A production stream is near real time: each valid event (and its
 * duplicate) is re-timed to happen assumptions.eventLagMaxSeconds at most before T0, by a lag drawn
 * from its event_id, in the same format (epoch ms or ISO string: same bytes). Late events (older
 * than the freshness window) and invalid ones keep their times.
 */
function realTime(item: TrafficItem): string {
  if (item.kind !== 'valid' && item.kind !== 'duplicate') return item.line;
  const event = JSON.parse(item.line) as { event_id?: string; event_time?: unknown };
  if (typeof event.event_id !== 'string') return item.line;
  const lagMs = (Number.parseInt(event.event_id.replace(/-/g, '').slice(0, 8), 16) % (EVENT_LAG_MAX_S * 1000)) + 1;
  const at = T0 - lagMs;
  if (typeof event.event_time === 'number') event.event_time = at;
  else if (typeof event.event_time === 'string') event.event_time = new Date(at).toISOString();
  else return item.line;
  return JSON.stringify(event);
}

function requestEvent(template: APIGatewayProxyEvent, lines: string[]): APIGatewayProxyEvent {
  const body = `{"events":[${lines.join(',')}]}`;
  return { ...template, body: Buffer.from(body).toString('base64'), isBase64Encoded: true };
}

const RECORD_SEPARATOR = 0x1e;
const eventsIn = (record: Buffer): number =>
  Math.max(
    1,
    record.reduce((n, byte) => n + (byte === RECORD_SEPARATOR ? 1 : 0), 0),
  );

/**
 * Runs `events` demo-mix events through the ingest and transform λs; `packRecordBytes` is the ingest
 * λ's packing setting (0: one event per Firehose record, as before packing).
 */
export async function measureSample(events: number, packRecordBytes: number, seed = 2026): Promise<Sample> {
  const { makeIngestHandler } = await import('../../functions/ingest.js');
  const { makeTransformHandler } = await import('../../functions/transform.js');
  const { loadEvent } = await import('../../tests/helpers/events.js');
  const template = loadEvent<APIGatewayProxyEvent>('apigw-post-events');
  const appIds = [...new Set(Object.values(config.local.apiKeys))];
  const traffic = generateTraffic({ seed, appIds, devices: 200, ...demoTrafficMix, now: () => T0 });
  const batches: { appId: string; lines: string[] }[] = [];
  const open = new Map<string, string[]>();
  const deviceLines: string[] = [];
  let eventBytes = 0;
  for (let i = 0; i < events; i++) {
    const generated = traffic.next().value as TrafficItem;
    const item = { ...generated, line: realTime(generated) };
    eventBytes += Buffer.byteLength(item.line);
    if (item.deviceId !== undefined && item.appId === undefined) {
      deviceLines.push(item.line);
      continue;
    }
    const appId = item.appId ?? (appIds[0] as string);
    // As `eventlake send` does: a malformed line goes alone, since its 400 rejects the whole request.
    if (item.kind === 'malformed_json') {
      batches.push({ appId, lines: [item.line] });
      continue;
    }
    const lines = open.get(appId) ?? [];
    lines.push(item.line);
    open.set(appId, lines);
    if (lines.length >= EVENTS_PER_REQUEST) {
      open.delete(appId);
      batches.push({ appId, lines });
    }
  }
  for (const [appId, lines] of open) batches.push({ appId, lines });
  let currentRequest = 0;
  const direct: { data: Buffer; request: number }[] = [];
  const putRecords: PutRecords = async (records) =>
    records.map((data, i) => {
      direct.push({ data: Buffer.from(data), request: currentRequest });
      return { ok: true, recordId: `r-${currentRequest}-${i}` };
    });
  let app = appIds[0] as string;
  const ingest = makeIngestHandler({
    putRecords,
    resolveApp: async () => app,
    now: () => T0,
    report: () => {},
    settings: { packRecordBytes },
  });
  let requests = 0;
  const ingestStarted = performance.now();
  for (const batch of batches) {
    app = batch.appId;
    currentRequest = requests++;
    const response = await ingest(requestEvent(template, batch.lines), context);
    if (response.statusCode >= 500) throw new Error(`cost sample: ingest answered ${response.statusCode}`);
  }
  const ingestMs = performance.now() - ingestStarted;
  const streams = [
    direct.map(({ data, request }) => ({ stream: 'direct' as const, data, request })),
    deviceLines.map((line) => ({ stream: 'devices' as const, data: Buffer.from(line), request: -1 })),
  ];
  const transform = makeTransformHandler(() => {});
  const records: SampleRecord[] = [];
  const outputs = new Map<string, Buffer[]>();
  const transformStarted = performance.now();
  for (const sourced of streams)
    for (let i = 0; i < sourced.length; i += 500) {
      const chunk = sourced.slice(i, i + 500);
      const answer = await transform(firehoseEvent(chunk.map((c) => ({ stream: c.stream, data: c.data }))));
      answer.records.forEach((out, k) => {
        const source = chunk[k] as (typeof chunk)[number];
        const keys = out.metadata?.partitionKeys;
        const ok = out.result === 'Ok' && keys !== undefined;
        const group = ok ? `${source.stream}|${keys.zone}|${keys.event_type}|${keys.dt}` : 'error';
        const data = Buffer.from(out.data ?? '', 'base64');
        const buffers = outputs.get(group) ?? [];
        buffers.push(data);
        outputs.set(group, buffers);
        records.push({
          stream: source.stream,
          inBytes: source.data.length,
          partition: ok ? `${keys.zone}|${keys.event_type}` : 'error',
          dayOffset: ok ? Math.round((Date.parse(`${keys.dt}T00:00:00Z`) - dayStart(T0)) / DAY_MS) : 0,
          outBytes: data.length,
          request: source.request,
          events: eventsIn(source.data),
        });
      });
    }
  const transformMs = performance.now() - transformStarted;
  let raw = 0;
  let gzipped = 0;
  for (const group of outputs.values()) {
    const body = Buffer.concat(group);
    raw += body.length;
    gzipped += gzipSync(body).length;
  }
  return {
    records,
    events,
    rejectedAtEdge: events - records.reduce((n, r) => n + r.events, 0),
    requests,
    ingestMsPerRequest: ingestMs / requests,
    transformMsPerRecord: transformMs / records.length,
    meanEventBytes: eventBytes / events,
    gzipRatio: gzipped / raw,
    validLines: Buffer.concat([...outputs].filter(([group]) => group.split('|')[1] === 'events').flatMap(([, b]) => b)),
  };
}

const dayStart = (ms: number): number => ms - (ms % DAY_MS);

function firehoseEvent(chunk: { stream: Stream; data: Buffer }[]): FirehoseTransformationEvent {
  const stream = chunk[0]?.stream ?? 'direct';
  const arn = `arn:aws:firehose:us-east-1:123456789012:deliverystream/eventlake-bench-${stream}`;
  return {
    invocationId: `bench-${stream}`,
    deliveryStreamArn: arn,
    region: 'us-east-1',
    records: chunk.map((c, i) => ({
      recordId: `rec-${i}`,
      approximateArrivalTimestamp: T0,
      data: c.data.toString('base64'),
      ...(c.stream === 'devices'
        ? {
            kinesisRecordMetadata: {
              shardId: 'shardId-000000000000',
              partitionKey: `device-${i}`,
              approximateArrivalTimestamp: T0,
              sequenceNumber: String(i),
              subsequenceNumber: '0',
            },
          }
        : {}),
    })),
  } as FirehoseTransformationEvent;
}
