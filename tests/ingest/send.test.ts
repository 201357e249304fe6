import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { runSend, type SendIo } from '../../local/cli/send.js';
import { generateTraffic, rejectedAtEdge, type TrafficItem } from '../../local/tools/traffic/traffic.js';
import { loadEvent } from '../helpers/events.js';
import { harness } from './handler.js';
import { API_KEY, fakeFirehose } from './support.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

type Answer = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** An API Gateway stand-in on 127.0.0.1: each request becomes a REST proxy event (body base64). */
async function serve(answer: Answer): Promise<string> {
  server = createServer(async (req, res) => {
    const result = await answer(await toEvent(req));
    res.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function toEvent(req: IncomingMessage): Promise<APIGatewayProxyEvent> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const event = loadEvent<APIGatewayProxyEvent>('apigw-post-events');
  event.headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
  event.requestContext.identity.apiKey = (req.headers['x-api-key'] as string | undefined) ?? null;
  event.body = Buffer.concat(chunks).toString('base64');
  return event;
}

function io(env: Record<string, string> = { EVENTLAKE_API_KEY: API_KEY }) {
  const out: string[] = [];
  const err: string[] = [];
  const value: SendIo = { env, stdout: (t) => out.push(t), stderr: { write: (t: string) => err.push(t) }, fetch };
  return { value, out, err };
}

describe('eventlake send', () => {
  it('prints its help and refuses bad usage', async () => {
    const help = io({});
    expect(await runSend(['--help'], help.value)).toBe(0);
    expect(help.out.join('')).toContain('--endpoint <url>');
    const bad = io();
    expect(await runSend(['--invalid', '2'], bad.value)).toBe(2);
    expect(bad.err.join('')).toContain(
      "option '--invalid <share>' argument '2' is invalid. must be a number from 0 to 1",
    );
    const noKey = io({});
    expect(await runSend(['--events', '1'], noKey.value)).toBe(2);
    expect(noKey.err.join('')).toContain('EVENTLAKE_API_KEY');
  });

  it('sends through the real handler, re-sending exactly the indexes a 503 names', async () => {
    const seen = new Set<unknown>();
    // Firehose fails every event the first time it sees it; the λ has time for one attempt only.
    const firehose = fakeFirehose(
      (_call, _position, record) => !seen.has(record.event_id) && Boolean(seen.add(record.event_id)),
    );
    const api = harness(firehose, { settings: { retryAfterSeconds: 0 } });
    const endpoint = await serve((event) => api.invoke(event, 2_000));
    const args = [
      '--endpoint',
      endpoint,
      '--events',
      '400',
      '--batch',
      '50',
      '--rate',
      '0',
      '--invalid',
      '0.1',
      '--duplicates',
      '0',
      '--json',
    ];
    const run = io();
    for (const format of [[], ['--ndjson', '--gzip']]) {
      seen.clear();
      firehose.calls.length = 0;
      run.out.length = 0;
      expect(await runSend([...args, ...format], run.value)).toBe(0);
      const summary = JSON.parse(run.out.join(''));
      const items = generateTraffic({
        seed: 1,
        appIds: ['demo-app-1', 'demo-app-2', 'demo-app-3'],
        devices: 10,
        invalidShare: 0.1,
        duplicateShare: 0,
        lateShare: 0.01,
      });
      const first400 = Array.from({ length: 400 }, () => items.next().value as TrafficItem);
      const edgeRejected = first400.filter((i) => rejectedAtEdge(i.kind)).length;
      expect(summary).toMatchObject({
        generated: 400,
        accepted: 400 - edgeRejected,
        rejected: edgeRejected,
        failed: 0,
      });
      expect(summary.retried).toBe(400 - edgeRejected);
      const delivered = firehose.calls.flat().map((e) => e.event_id);
      expect(delivered).toHaveLength(2 * (400 - edgeRejected));
    }
  });

  it('backs off on 429 and stops at a 403, naming the refused key, with exit code 1', async () => {
    let calls = 0;
    const endpoint = await serve(async () => {
      calls += 1;
      if (calls === 1) return { statusCode: 429, body: '{"message":"Too Many Requests"}' };
      if (calls === 2) return { statusCode: 200, body: '{"accepted":3,"rejected":[]}' };
      return { statusCode: 403, body: '{"error":"forbidden","message":"the API key is not assigned to an app"}' };
    });
    const run = io();
    const code = await runSend(
      [
        '--endpoint',
        endpoint,
        '--events',
        '6',
        '--batch',
        '3',
        '--concurrency',
        '1',
        '--invalid',
        '0',
        '--duplicates',
        '0',
      ],
      run.value,
    );
    expect(code).toBe(1);
    const text = run.out.join('');
    expect(text).toMatch(/delivered\s+3/);
    expect(text).toMatch(/retried\s+3/);
    expect(text).toMatch(/not delivered\s+3/);
    expect(text).toContain('403 forbidden');
    expect(run.err.join('')).toContain('the API key was refused (403: the API key is not assigned to an app)');
    // A local endpoint: the local keys' names are listed.
    expect(run.err.join('')).toContain('local-key-shop-web (shop-web)');
  });
});
