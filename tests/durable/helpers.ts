// Shared pieces of the durability tests: events the API accepts, the ingest λ called the way the local
// API Gateway calls it (with a short time budget, so a failing Firehose answers 503 quickly), a file
// layer and an S3 write port that fail like a bad disk on demand, and the curated event ids.
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { PutObject, PutRecords } from '#shared/ports.js';
import { makeIngestHandler } from '../../functions/ingest.js';
import { lambdaContext } from '../../local/apigateway/http-event.js';
import { type JournalFiles, nodeJournalFiles } from '../../local/firehose/journal-files.js';
import { loadEvent } from '../helpers/events.js';

export interface DiskState {
  /** An errno code (ENOSPC, EROFS, …) every write fails with while set. */
  failing: string | undefined;
}

const diskError = (code: string) => Object.assign(new Error(`${code}: simulated disk fault`), { code });

/** node:fs for the journal, whose appends, syncs and opens fail while the disk is bad. */
export function badDiskFiles(state: DiskState): JournalFiles {
  const check = () => {
    if (state.failing) throw diskError(state.failing);
  };
  return {
    ...nodeJournalFiles,
    openAppend: async (file) => {
      check();
      const real = await nodeJournalFiles.openAppend(file);
      return {
        write: async (bytes) => {
          check();
          await real.write(bytes);
        },
        sync: async () => {
          check();
          await real.sync();
        },
        close: () => real.close(),
      };
    },
  };
}

export const badDiskPutObject =
  (state: DiskState) =>
  (put: PutObject): PutObject =>
  async (ref, body, contentType) => {
    if (state.failing) throw diskError(state.failing);
    return put(ref, body, contentType);
  };

/** Valid page_view events a minute old (inside the freshness window), with fresh ids. */
export function pageViews(n: number): { event_id: string; body: Record<string, unknown> }[] {
  const eventTime = new Date(Date.now() - 60_000).toISOString();
  return Array.from({ length: n }, () => {
    const eventId = randomUUID();
    return {
      event_id: eventId,
      body: {
        event_id: eventId,
        event_type: 'page_view',
        event_time: eventTime,
        attributes: { url: 'https://shop.example.com/', title: 'Home', duration_ms: 1200 },
      },
    };
  });
}

/** The ingest λ over `putRecords`, answering within `budgetMs` (its retries included). */
export function ingestCaller(putRecords: PutRecords, budgetMs = 1_500) {
  const handler = makeIngestHandler({ putRecords, resolveApp: async () => 'shop-web', sleep: async () => {} });
  const template = loadEvent<APIGatewayProxyEvent>('apigw-post-events.json');
  return async (events: { body: Record<string, unknown> }[]) => {
    const body = Buffer.from(JSON.stringify({ events: events.map((e) => e.body) })).toString('base64');
    const response = await handler(
      { ...template, body, isBase64Encoded: true },
      lambdaContext('ingest', budgetMs, Date.now()),
    );
    return { status: response.statusCode, headers: response.headers ?? {}, body: JSON.parse(response.body) };
  };
}
