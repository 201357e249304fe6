// The hostile corpus over HTTP, against the real local pipeline: every case gets its JSON 4xx (or
// is accepted and failed downstream as the corpus says), the server keeps answering, valid events
// sent between the cases still reach curated Parquet, and no log line holds a payload or a key.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { localAppResolver } from '#shared/ingest/apps.js';
import { makeHealthHandler } from '../../functions/health.js';
import { makeIngestHandler } from '../../functions/ingest.js';
import { startIngestServer } from '../../local/apigateway/ingest-server.js';
import { type RunningServer, startHttpServer } from '../../local/apigateway/server.js';
import { currentCuratedFiles } from '../../local/glue/generations.js';
import { type LocalPipeline, startLocalPipeline } from '../../local/pipeline/pipeline.js';
import { settle } from '../../local/pipeline/settle.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { expectAnswer, lowerCased, type SeenAnswer } from './answers.js';
import { DUPLICATE_KEY_IDS, type IngestCase, ingestCorpus, JSON_TYPE, VALID_KEY, wireCorpus } from './corpus.js';
import { type CapturedLogs, captureLogs, linesContaining } from './log-capture.js';
import { allMarkers, eventsBody, marker, pageView } from './payloads.js';
import { sendRaw } from './wire.js';

const REQUEST_TIMEOUT_MS = 1_500;
const STRICT_KEY = 'strict-key-0123456789abcdef';
const REVOKED_KEY = 'revoked-key-0123456789abcdef';
/** The strict server's key map: the test deletes REVOKED_KEY from it while the server runs. */
const strictKeys: Record<string, string> = { [STRICT_KEY]: 'strict-id', [REVOKED_KEY]: 'revoked-id' };
const invalidKeys = ['not-a-key', `${VALID_KEY.slice(0, -1)}${VALID_KEY.endsWith('b') ? 'c' : 'b'}`];
const allKeys = [...Object.keys(config.local.apiKeys), ...Object.keys(strictKeys), ...invalidKeys];

let logs: CapturedLogs;
let dataDir: string;
let pipeline: LocalPipeline;
let server: RunningServer;
let strict: RunningServer;
/** Valid events sent between the cases, and the corpus events the edge accepted. */
const companions: string[] = [];
const acceptedCases: { eventId: string; downstream: string }[] = [];

beforeAll(async () => {
  logs = captureLogs();
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-hostile-'));
  pipeline = await startLocalPipeline({ dataDir, timeScale: 0.0005 });
  server = await startIngestServer(pipeline, 0);
  strict = await startStrictServer(pipeline);
});

afterAll(async () => {
  logs.stop();
  await server?.close();
  await strict?.close();
  await pipeline?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The ingest routes as deployed (binaryMediaTypes: every type), with a short request timeout and a key map the test edits. */
function startStrictServer(p: LocalPipeline): Promise<RunningServer> {
  const ingest = makeIngestHandler({
    putRecords: p.direct.putRecordBatch,
    resolveApp: localAppResolver({ [STRICT_KEY]: 'shop-web', [REVOKED_KEY]: 'shop-web' }),
  });
  return startHttpServer({
    port: 0,
    routes: [
      { method: 'POST', path: '/v1/events', handler: ingest, private: true },
      { method: 'GET', path: '/v1/health', handler: makeHealthHandler() },
    ],
    apiKeys: strictKeys,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    binaryMediaTypes: ['*/*'],
  });
}

async function post(url: string, headers: Headers | Record<string, string>, body: Buffer): Promise<SeenAnswer> {
  const response = await fetch(`${url}/v1/events`, { method: 'POST', headers, body });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

/**
 * The server still answers, and still takes a valid event (kept for the lake check). A 503 with
 * Retry-After is the load shedder (an event loop late on a busy machine, e.g. after a 10 MB upload):
 * a client waits and sends again, so does this check, for at most 15 s.
 */
async function expectServing(url: string, key = VALID_KEY): Promise<void> {
  const health = await fetch(`${url}/v1/health`);
  expect([health.status, ((await health.json()) as { status?: string }).status]).toEqual([200, 'ok']);
  const event = pageView(marker('companion'));
  const send = () => post(url, { 'x-api-key': key, ...JSON_TYPE }, Buffer.from(eventsBody([event])));
  let answer = await send();
  for (const deadline = Date.now() + 15_000; answer.status === 503 && Date.now() < deadline; answer = await send()) {
    expect(answer.headers['retry-after']).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect([answer.status, answer.body]).toEqual([200, '{"accepted":1,"rejected":[]}']);
  companions.push(String(event.event_id));
}

const peakRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

describe('hostile bodies over HTTP', () => {
  it.each(ingestCorpus().map((c) => [c.name, c] as const))('%s', async (_name, c: IngestCase) => {
    const body = await c.body();
    const peakBefore = peakRssBytes();
    const started = Date.now();
    const seen = await post(server.url, c.headers, body);
    const answer = c.answer;
    if (answer.status === 'no answer') throw new Error('whole-body cases always get an answer');
    expectAnswer({ ...seen, headers: lowerCased(seen.headers) }, answer);
    if (c.inflatesTo !== undefined) {
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(peakRssBytes() - peakBefore).toBeLessThan(c.inflatesTo / 8);
    }
    if ('downstream' in answer) acceptedCases.push(answer);
    await expectServing(server.url);
  });
});

describe('hostile wire behaviour', () => {
  it.each(wireCorpus().map((c) => [c.name, c] as const))('%s', async (_name, c: IngestCase) => {
    if (c.wire.kind === 'whole') throw new Error('wire cases only');
    const target = c.wire.kind === 'slow' ? strict : server;
    const headers = { ...c.headers, 'x-api-key': c.wire.kind === 'slow' ? STRICT_KEY : VALID_KEY };
    const seen = await sendRaw({ url: target.url, path: '/v1/events', headers, body: await c.body(), wire: c.wire });
    if (c.answer.status === 'no answer') expect(seen.status).toBeUndefined();
    else expectAnswer({ status: seen.status ?? 0, headers: seen.headers, body: seen.body }, c.answer);
    if (c.wire.kind === 'slow') {
      expect(seen.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
      expect(seen.elapsedMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1_500);
    }
    await expectServing(target.url, target === strict ? STRICT_KEY : VALID_KEY);
  });
});

describe('API keys', () => {
  const body = () => Buffer.from(eventsBody([pageView(marker('key'))]));
  const refused = async (url: string, headers: Headers) => {
    headers.set('content-type', 'application/json');
    const seen = await post(url, headers, body());
    expectAnswer({ ...seen, headers: lowerCased(seen.headers) }, { status: 403, gatewayError: 'ForbiddenException' });
  };

  it('refuses a missing, empty, wrong, almost-right or doubled key with a JSON 403', async () => {
    await refused(server.url, new Headers());
    await refused(server.url, new Headers({ 'x-api-key': '' }));
    for (const key of invalidKeys) await refused(server.url, new Headers({ 'x-api-key': key }));
    const doubled = new Headers({ 'x-api-key': VALID_KEY });
    doubled.append('x-api-key', 'not-a-key');
    await refused(server.url, doubled);
    await expectServing(server.url);
  });

  it('refuses a key removed from the key map while the server runs', async () => {
    await expectServing(strict.url, REVOKED_KEY);
    delete strictKeys[REVOKED_KEY];
    await refused(strict.url, new Headers({ 'x-api-key': REVOKED_KEY }));
    await expectServing(strict.url, STRICT_KEY);
  });
});

describe('after the corpus', () => {
  it('delivered every valid event to curated Parquet and filed the accepted hostile ones as the corpus says', async () => {
    const expectCurated = [
      ...companions,
      ...acceptedCases.filter((c) => c.downstream === 'curated').map((c) => c.eventId),
    ];
    let curated = new Set<string>();
    // One early run saw settle return with one companion not yet curated (not reproduced since, cause
    // not found): settle again, at most three times, rather than flake. Glue must still never fail.
    for (let pass = 0; pass < 3 && expectCurated.some((id) => !curated.has(id)); pass++) {
      await settle(pipeline);
      const files = currentCuratedFiles(dataDir);
      curated = new Set(
        files.length === 0
          ? []
          : (await rows(`SELECT event_id FROM read_parquet([${files.map(sql).join(', ')}])`)).map(idOf),
      );
    }
    expect(pipeline.glue.runs().filter((run) => run.state !== 'SUCCEEDED')).toEqual([]);
    expect(expectCurated.filter((id) => !curated.has(id))).toEqual([]);
    expect(curated).not.toContain(DUPLICATE_KEY_IDS.first);
    const failed = await rows(
      `SELECT event_id, failure_type FROM read_json(${sql(failedGlob())}, format = 'newline_delimited',
         compression = 'gzip', columns = {event_id: 'VARCHAR', failure_type: 'VARCHAR'})`,
    );
    const failedType = new Map(failed.map((row) => [idOf(row), String(row.failure_type)]));
    for (const c of acceptedCases.filter((a) => a.downstream !== 'curated')) {
      expect(failedType.get(c.eventId)).toBe(c.downstream);
    }
    expect(companions.length).toBeGreaterThan(40);
  });

  it('left no prototype polluted', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('logged no payload and no API key', () => {
    const lines = logs.lines();
    expect(lines.some((line) => line.includes('"message":"ingested"'))).toBe(true);
    expect(lines.some((line) => line.includes('"message":"transformed batch"'))).toBe(true);
    expect(linesContaining(lines, [...allMarkers(), ...allKeys])).toEqual([]);
  });
});

const sql = (value: string): string => `'${value.replaceAll("'", "''")}'`;
const idOf = (row: Record<string, unknown>): string => String(row.event_id);
const failedGlob = () => path.join(dataDir, localBucketNames.ingest, config.prefixes.failed, '**', '*.gz');

async function rows(query: string): Promise<Record<string, unknown>[]> {
  const connection = await pipeline.instance.connect();
  try {
    return (await connection.runAndReadAll(query)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}
