import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { makeHealthHandler } from '../../functions/health.js';
import { loadEvent } from '../helpers/events.js';
import { bodyOf } from './support.js';

const NOW = Date.parse('2025-11-22T10:00:00.000Z');
const health = makeHealthHandler(() => NOW);
const request = (method: string, resource: string, path = resource) =>
  Object.assign(loadEvent<APIGatewayProxyEvent>('apigw-health'), { httpMethod: method, resource, path });

describe('health λ (GET /v1/health and the catch-all routes)', () => {
  it('answers GET /v1/health without a key', async () => {
    const response = await health(loadEvent<APIGatewayProxyEvent>('apigw-health'));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ status: 'ok', service: 'eventlake', time: '2025-11-22T10:00:00.000Z' });
    expect(response.headers?.['Cache-Control']).toBe('no-store');
  });

  it('answers 405 for other methods on known routes and 404 elsewhere, in JSON', async () => {
    const put = await health(request('PUT', '/v1/events'));
    expect(put.statusCode).toBe(405);
    expect(put.headers?.Allow).toBe('POST, OPTIONS');
    const get = await health(request('GET', '/v1/events'));
    expect(get.statusCode).toBe(405);
    const postHealth = await health(request('POST', '/v1/health'));
    expect(postHealth).toMatchObject({ statusCode: 405, headers: { Allow: 'GET, OPTIONS' } });
    const missing = await health(request('GET', '/{proxy+}', '/v1/nothing'));
    expect(missing.statusCode).toBe(404);
    expect(bodyOf(missing)).toEqual({ error: 'not_found', message: 'no route for /v1/nothing' });
  });
});
