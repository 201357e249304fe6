import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startHttpServer } from '../../local/apigateway/server.js';
import { staticFilePath } from '../../local/apigateway/static.js';

let server: RunningServer;
let root: string;
const seen: { event: APIGatewayProxyEvent; remaining: number; context: Context }[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'eventlake-http-'));
  await mkdir(path.join(root, 'site'));
  await writeFile(path.join(root, 'site', 'index.html'), '<h1>dashboard</h1>');
  await writeFile(path.join(root, 'site', 'app.js'), 'console.log(1)');
  await writeFile(path.join(root, 'secret.txt'), 'secret');
  server = await startHttpServer({
    port: 0,
    routes: [
      {
        method: 'POST',
        path: '/v1/events',
        private: true,
        handler: async (event, context) => {
          seen.push({ event, context, remaining: context.getRemainingTimeInMillis() });
          return { statusCode: 202, headers: { 'X-Test': 'yes' }, body: JSON.stringify({ accepted: 1 }) };
        },
      },
      { method: 'POST', path: '/v1/limited', private: true, handler: async () => ({ statusCode: 200, body: '' }) },
      {
        method: 'GET',
        path: '/reports/{name}',
        handler: async (e) => ({ statusCode: 200, body: JSON.stringify(e.pathParameters) }),
      },
      { method: 'GET', path: '/boom', handler: async () => Promise.reject(new Error('boom')) },
      {
        method: 'GET',
        path: '/slow',
        handler: () => new Promise((r) => setTimeout(() => r({ statusCode: 200, body: '' }), 500)),
      },
    ],
    staticDir: path.join(root, 'site'),
    apiKeys: { 'key-abc': 'id-abc', 'key-limited': 'id-limited' },
    throttle: { rateLimit: 0.001, burstLimit: 4 },
    maxBodyBytes: 1_000,
    integrationTimeoutMs: 50,
  });
});

afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const post = (p: string, init: RequestInit = {}) => fetch(`${server.url}${p}`, { method: 'POST', ...init });

describe('local API Gateway', () => {
  it('binds to the loopback interface', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 403 Forbidden without a valid API key', async () => {
    for (const headers of [{}, { 'x-api-key': 'wrong' }, { 'x-api-key': '' }] as Record<string, string>[]) {
      const res = await post('/v1/events', { headers, body: '{}' });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ message: 'Forbidden' });
    }
  });

  it('passes an API Gateway proxy event and a Lambda context to the handler', async () => {
    const body = gzipSync(Buffer.from('[{"a":1}]'));
    const res = await post('/v1/events?x=1&x=2&y=3', {
      headers: {
        'X-Api-Key': 'key-abc',
        'Content-Type': 'application/json',
        'Content-Encoding': 'gzip',
        'User-Agent': 'ua',
      },
      body,
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-test')).toBe('yes');
    expect(await res.json()).toEqual({ accepted: 1 });

    const { event, remaining, context } = seen.at(-1) as (typeof seen)[number];
    expect(event).toMatchObject({
      resource: '/v1/events',
      path: '/v1/events',
      httpMethod: 'POST',
      isBase64Encoded: true,
      body: body.toString('base64'),
      queryStringParameters: { x: '2', y: '3' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      pathParameters: null,
      stageVariables: null,
      requestContext: {
        stage: 'local',
        resourcePath: '/v1/events',
        httpMethod: 'POST',
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        identity: { sourceIp: '127.0.0.1', userAgent: 'ua', apiKey: 'key-abc', apiKeyId: 'id-abc' },
      },
    });
    expect(event.headers['Content-Encoding']).toBe('gzip');
    expect(event.multiValueHeaders['X-Api-Key']).toEqual(['key-abc']);
    expect(res.headers.get('x-amzn-requestid')).toBe(event.requestContext.requestId);
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThanOrEqual(50);
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.functionName).toEqual(expect.any(String));
  });

  it('passes a plain JSON body as text', async () => {
    await post('/v1/events', {
      headers: { 'x-api-key': 'key-abc', 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(seen.at(-1)?.event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
  });

  it('throttles per API key with 429 Too Many Requests', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1)
      statuses.push((await post('/v1/limited', { headers: { 'x-api-key': 'key-limited' } })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const res = await post('/v1/limited', { headers: { 'x-api-key': 'key-limited' } });
    expect(await res.json()).toEqual({ message: 'Too Many Requests' });
  });

  it('answers 413 for a body over the payload limit', async () => {
    const res = await post('/v1/events', { headers: { 'x-api-key': 'key-abc' }, body: 'x'.repeat(1_001) });
    expect(res.status).toBe(413);
  });

  it('answers like API Gateway for path parameters, unknown routes, handler errors and timeouts', async () => {
    expect(await (await fetch(`${server.url}/reports/daily%20sales`)).json()).toEqual({ name: 'daily sales' });
    const unknown = await post('/nowhere');
    expect([unknown.status, await unknown.json()]).toEqual([403, { message: 'Missing Authentication Token' }]);
    const boom = await fetch(`${server.url}/boom`);
    expect([boom.status, await boom.json()]).toEqual([502, { message: 'Internal server error' }]);
    const slow = await fetch(`${server.url}/slow`);
    expect([slow.status, await slow.json()]).toEqual([504, { message: 'Endpoint request timed out' }]);
  });
});

describe('dashboard static files', () => {
  it('serves files with their content type and index.html at /', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toBe('<h1>dashboard</h1>');
    const script = await fetch(`${server.url}/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${server.url}/missing.css`)).status).toBe(404);
  });

  it('never serves a file outside the directory', async () => {
    const raw = (p: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${server.url}${p}`, (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%5csecret.txt']) {
      const res = await raw(p);
      expect(res.body).not.toContain('secret');
    }
    expect(staticFilePath('/srv/site', '/../secret.txt')).toBe('/srv/site/secret.txt');
    expect(staticFilePath('/srv/site', '/a/../../b')).toBe('/srv/site/b');
  });
});
