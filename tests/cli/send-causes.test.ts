// `eventlake send` says why sending cannot succeed and what to do; counts delivered vs rejected with
// the first reasons; refuses a batch larger than the API takes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runSend, type SendIo } from '../../local/cli/send.js';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const value: SendIo = {
    env: { EVENTLAKE_API_KEY: 'some-key' },
    stdout: (t) => out.push(t),
    stderr: { write: (t: string) => err.push(t) },
    fetch,
  };
  return { value, out: () => out.join(''), err: () => err.join('') };
}

/** A port on 127.0.0.1 nothing listens on any more. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('eventlake send, causes', () => {
  it('names an endpoint nothing listens on, and how to start one, at once', async () => {
    const run = io();
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    expect(await runSend(['--endpoint', endpoint, '--events', '50', '--batch', '10', '--rate', '0'], run.value)).toBe(
      1,
    );
    expect(run.err()).toContain(`nothing listens on ${endpoint}/v1/events (ECONNREFUSED); start it with npm run dev`);
    expect(run.out()).toMatch(/delivered\s+0/);
    // Stopped at the first answer: not every batch was tried 6 times.
    expect(run.out()).toMatch(/retried\s+0/);
  });

  it('counts delivered and rejected events with the first rejection reasons', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          accepted: 1,
          rejected: [{ index: 1, reason: 'schema_violation: /attributes/url is required' }],
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const run = io();
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const args = ['--endpoint', endpoint, '--events', '2', '--batch', '2', '--invalid', '0', '--duplicates', '0'];
      expect(await runSend([...args, '--json'], run.value)).toBe(0);
      expect(JSON.parse(run.out())).toMatchObject({
        generated: 2,
        accepted: 1,
        rejected: 1,
        failed: 0,
        reasons: ['schema_violation: /attributes/url is required (index 1)'],
      });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses a batch larger than the API takes, with exit 2', async () => {
    const run = io();
    expect(await runSend(['--batch', '501'], run.value)).toBe(2);
    expect(run.err()).toContain("option '--batch <n>' argument '501' is invalid. must be a whole number from 1 to 500");
  });
});
