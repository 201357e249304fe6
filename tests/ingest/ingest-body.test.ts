import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { loadEvent } from '../helpers/events.js';
import { harness } from './handler.js';
import { bodyOf, jsonBody, ndjsonBody, postEvent, validEvent } from './support.js';

const events = (n: number) => Array.from({ length: n }, () => validEvent());

describe('request bodies', () => {
  it('reads the gzip NDJSON fixture', async () => {
    const h = harness();
    const response = await h.invoke(loadEvent<APIGatewayProxyEvent>('apigw-post-events-gzip'));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toEqual({ accepted: 2, rejected: [] });
    expect(h.firehose.calls[0]?.map((e) => e.event_type)).toEqual(['purchase', 'page_view']);
  });

  it('reads JSON and NDJSON, plain or gzip, base64 or text', async () => {
    const batch = events(3);
    const variants = [
      postEvent(jsonBody(batch), { base64: false }),
      postEvent(jsonBody(batch), { gzip: true }),
      postEvent(ndjsonBody(batch), { contentType: 'application/x-ndjson; charset=utf-8' }),
      postEvent(`\r\n${ndjsonBody(batch).replaceAll('\n', '\r\n')}\n\n`, {
        contentType: 'application/x-ndjson',
        gzip: true,
      }),
    ];
    for (const event of variants) {
      const h = harness();
      const response = await h.invoke(event);
      expect(response.statusCode).toBe(200);
      expect(h.firehose.calls[0]?.map((e) => e.event_id)).toEqual(batch.map((e) => e.event_id));
    }
  });

  it('names the NDJSON line that is not JSON, and the byte for a broken JSON body', async () => {
    const lines = `${JSON.stringify(validEvent())}\n\n{"event_id": oops}\n`;
    const ndjson = await harness().invoke(postEvent(lines, { contentType: 'application/x-ndjson' }));
    expect(ndjson.statusCode).toBe(400);
    expect(bodyOf(ndjson)).toEqual({ error: 'malformed_body', message: 'line 3 (event index 1) is not valid JSON' });

    const json = await harness().invoke(postEvent('{"events": [1, 2,'));
    expect(json.statusCode).toBe(400);
    expect(bodyOf(json)).toMatchObject({
      error: 'malformed_body',
      message: expect.stringMatching(/^body is not valid JSON/),
    });
  });

  it('answers 400 for bodies that hold no event list, and for bad gzip or UTF-8', async () => {
    const notGzip = postEvent('not gzip');
    notGzip.headers['Content-Encoding'] = 'gzip';
    const cases = [
      postEvent('[]'),
      postEvent('{"events": {}}'),
      postEvent(jsonBody([])),
      notGzip,
      postEvent(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
    ];
    for (const event of cases) {
      const response = await harness().invoke(event);
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response)).toMatchObject({ error: 'malformed_body' });
    }
    const empty = postEvent('');
    empty.body = null;
    expect((await harness().invoke(empty)).statusCode).toBe(400);
  });

  it('answers 415 for other content types and encodings', async () => {
    const xml = await harness().invoke(postEvent('<events/>', { contentType: 'application/xml' }));
    expect(xml.statusCode).toBe(415);
    const brotli = postEvent(jsonBody(events(1)));
    brotli.headers['Content-Encoding'] = 'br';
    expect((await harness().invoke(brotli)).statusCode).toBe(415);
  });
});

describe('limits', () => {
  it('takes exactly 500 events and answers 413 for 501, JSON or NDJSON', async () => {
    expect((await harness().invoke(postEvent(jsonBody(events(500))))).statusCode).toBe(200);
    const json = await harness().invoke(postEvent(jsonBody(events(501))));
    expect(json.statusCode).toBe(413);
    expect(bodyOf(json)).toEqual({ error: 'payload_too_large', message: '501 events; at most 500 per request' });
    const ndjson = await harness().invoke(postEvent(ndjsonBody(events(600)), { contentType: 'application/x-ndjson' }));
    expect(ndjson.statusCode).toBe(413);
  });

  it('answers 413 for a decoded body over 1 MB, plain or gzip', async () => {
    const big = jsonBody([validEvent({ attributes: { url: `https://x.example/${'a'.repeat(1_048_576)}` } })]);
    const plain = await harness().invoke(postEvent(big));
    expect(plain.statusCode).toBe(413);
    expect(bodyOf(plain)).toMatchObject({ error: 'payload_too_large' });
    expect((await harness().invoke(postEvent(big, { gzip: true }))).statusCode).toBe(413);
  });

  it('stops inflating a gzip bomb at the limit instead of inflating it all', async () => {
    const bomb = postEvent('');
    bomb.headers['Content-Encoding'] = 'gzip';
    // 256 gzip members of 1 MiB of spaces each: about 260 KB on the wire, 256 MiB inflated.
    const member = gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });
    bomb.body = Buffer.concat(Array.from({ length: 256 }, () => member)).toString('base64');
    const heapBefore = process.memoryUsage().arrayBuffers;
    const response = await harness().invoke(bomb);
    expect(response.statusCode).toBe(413);
    expect(process.memoryUsage().arrayBuffers - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('takes a body of exactly the limit', async () => {
    const event = validEvent();
    const padding = 1_048_576 - jsonBody([{ ...event, attributes: { url: '' } }]).length;
    const exact = jsonBody([{ ...event, attributes: { url: 'u'.repeat(padding) } }]);
    expect(Buffer.byteLength(exact)).toBe(1_048_576);
    const response = await harness(undefined, { settings: { maxRecordBytes: 2_000_000 } }).invoke(
      postEvent(exact, { gzip: true }),
    );
    expect(response.statusCode).toBe(200);
  });

  it('rejects one event larger than a Firehose record may be, keeping the others', async () => {
    const huge = validEvent({ attributes: { url: 'u'.repeat(1_024_000) } });
    const response = await harness().invoke(postEvent(jsonBody([validEvent(), huge])));
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({
      accepted: 1,
      rejected: [{ index: 1, reason: expect.stringMatching(/^size_violation/) }],
    });
  });
});
