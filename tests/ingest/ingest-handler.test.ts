import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { loadEvent } from '../helpers/events.js';
import { harness } from './handler.js';
import { APP_ID, bodyOf, jsonBody, NOW_MS, postEvent, validEvent } from './support.js';

describe('POST /v1/events', () => {
  it('accepts the fixture: one record per event, stamped by the edge', async () => {
    const h = harness();
    const response = await h.invoke(loadEvent<APIGatewayProxyEvent>('apigw-post-events'));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ accepted: 2, rejected: [] });
    expect(h.firehose.calls).toHaveLength(1);
    const [purchase, pageView] = h.firehose.calls[0] ?? [];
    expect(purchase).toMatchObject({
      event_id: '6c1f2b7e-3d4a-4b8c-9e2f-1a2b3c4d5e01',
      app_id: APP_ID,
      server_received_at: NOW_MS,
      request_id: 'c6af9ac6-7b61-4e11-9a41-93e8deadbeef',
    });
    expect(pageView).toMatchObject({ event_type: 'page_view', app_id: APP_ID });
    expect(purchase).not.toHaveProperty('source_ip');
    expect(purchase).not.toHaveProperty('user_agent');
  });

  it('overwrites server fields a client sent and captures IP and user agent only when enabled', async () => {
    const spoofed = validEvent({ server_received_at: 1, request_id: 'mine', source_ip: '10.0.0.1', user_agent: 'x' });
    const off = harness();
    await off.invoke(postEvent(jsonBody([spoofed])));
    const sentOff = off.firehose.calls[0]?.[0];
    expect(sentOff).toMatchObject({ server_received_at: NOW_MS, request_id: 'c6af9ac6-7b61-4e11-9a41-93e8deadbeef' });
    expect(sentOff).not.toHaveProperty('source_ip');
    expect(sentOff).not.toHaveProperty('user_agent');

    const on = harness(undefined, { settings: { captureSourceIp: true, captureUserAgent: true } });
    await on.invoke(postEvent(jsonBody([validEvent()])));
    expect(on.firehose.calls[0]?.[0]).toMatchObject({
      source_ip: '203.0.113.24',
      user_agent: 'shop-web/3.2.0 (iPhone; iOS 18.1)',
    });
  });

  it('rejects an event whose app_id disagrees with the key, and events without event_id', async () => {
    const h = harness();
    const other = validEvent({ app_id: 'someone-else' });
    const noId = validEvent();
    delete noId.event_id;
    const response = await h.invoke(postEvent(jsonBody([validEvent({ app_id: APP_ID }), other, noId, 42])));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({
      accepted: 1,
      rejected: [
        { index: 1, event_id: other.event_id, reason: "schema_violation: /app_id does not match the API key's app" },
        { index: 2, reason: 'schema_violation: /event_id is required' },
        { index: 3, reason: 'not_an_object: / an event must be a JSON object' },
      ],
    });
    expect(h.firehose.calls.flat()).toHaveLength(1);
  });

  it('checks the envelope only (attributes are the transform’s job) and answers 400 when nothing was accepted', async () => {
    const h = harness();
    const badAttributes = validEvent({ attributes: { not_in_schema: true } });
    const ok = await h.invoke(postEvent(jsonBody([badAttributes])));
    expect(ok.statusCode).toBe(200);

    const badTime = validEvent({ event_time: 'yesterday' });
    const none = await h.invoke(postEvent(jsonBody([badTime])));
    expect(none.statusCode).toBe(400);
    const body = bodyOf<{ accepted: number; rejected: { index: number; reason: string }[] }>(none);
    expect(body.accepted).toBe(0);
    expect(body.rejected[0]?.reason).toMatch(/^schema_violation: \/event_time/);
  });

  it('answers 403 in JSON for a key that belongs to no app', async () => {
    const event = postEvent(jsonBody([validEvent()]));
    event.requestContext.identity.apiKey = 'not-a-known-key';
    const h = harness();
    const response = await h.invoke(event);
    expect(response.statusCode).toBe(403);
    expect(bodyOf(response)).toMatchObject({ error: 'forbidden' });
    expect(h.firehose.calls).toHaveLength(0);
  });
});

describe('routes, health and CORS', () => {
  it('GET /v1/health answers 200 without a key', async () => {
    const response = await harness().invoke(loadEvent<APIGatewayProxyEvent>('apigw-health'));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ status: 'ok', service: 'eventlake', time: new Date(NOW_MS).toISOString() });
  });

  it('answers 405 with Allow for a wrong method and 404 for an unknown path, in JSON', async () => {
    const wrongMethod = loadEvent<APIGatewayProxyEvent>('apigw-health');
    Object.assign(wrongMethod, { httpMethod: 'DELETE', resource: '/v1/events', path: '/v1/events' });
    const notAllowed = await harness().invoke(wrongMethod);
    expect(notAllowed.statusCode).toBe(405);
    expect(notAllowed.headers?.Allow).toBe('POST, OPTIONS');
    expect(bodyOf(notAllowed)).toMatchObject({ error: 'method_not_allowed' });

    const unknown = loadEvent<APIGatewayProxyEvent>('apigw-health');
    Object.assign(unknown, { resource: '/{proxy+}', path: '/v2/events' });
    const notFound = await harness().invoke(unknown);
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers?.['Content-Type']).toBe('application/json');
  });

  it('answers a preflight from an allowed origin and refuses other origins', async () => {
    const preflight = await harness().invoke(loadEvent<APIGatewayProxyEvent>('apigw-options-preflight'));
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'http://localhost:3000',
      'Access-Control-Allow-Headers': 'Content-Type, Content-Encoding, X-Api-Key',
      Vary: 'Origin',
    });
    const foreign = loadEvent<APIGatewayProxyEvent>('apigw-options-preflight');
    foreign.headers.Origin = 'https://evil.example';
    const refused = await harness().invoke(foreign);
    expect(refused.statusCode).toBe(403);
    expect(refused.headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });

  it('adds CORS headers to answers for allowed origins only, with a configurable allow-list', async () => {
    const allowed = await harness().invoke(loadEvent<APIGatewayProxyEvent>('apigw-post-events'));
    expect(allowed.headers?.['Access-Control-Allow-Origin']).toBe('http://localhost:3000');
    expect(allowed.headers?.['Access-Control-Expose-Headers']).toBe('Retry-After');

    const configured = harness(undefined, { settings: { corsAllowedOrigins: ['https://app.example.com'] } });
    const event = postEvent(jsonBody([validEvent()]));
    event.headers.Origin = 'https://app.example.com';
    expect((await configured.invoke(event)).headers?.['Access-Control-Allow-Origin']).toBe('https://app.example.com');
    event.headers.Origin = 'http://localhost:3000';
    expect((await configured.invoke(event)).headers).not.toHaveProperty('Access-Control-Allow-Origin');
  });
});
