// A short stepped load run against the real local endpoint and pipeline: the report's shape, the
// server answering health after every stage, bounded backlog/queues/in-flight, shedding answers
// carrying Retry-After, and every acknowledged event accounted for after the pipeline settles.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../../local/tools/load/load.js';
import type { LoadResults } from '../../local/tools/load/report.js';

let dir: string;
let code: number;
let results: LoadResults;
let printed = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'eventlake-load-test-'));
  const file = path.join(dir, 'load-results.json');
  const argv = ['--stages', '20,1000', '--stage-seconds', '1.5', '--batch', '10', '--max-requests', '2000'];
  argv.push('--max-seconds', '10', '--client-in-flight', '256', '--settle-seconds', '60', '--results', file);
  code = await runLoad(argv, { stdout: (t) => (printed += t), stderr: () => {} });
  results = JSON.parse(await readFile(file, 'utf8')) as LoadResults;
}, 90_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('eventlake load (short run)', () => {
  it('passes and prints a table with one row per stage and the summary', () => {
    expect(results.failures).toEqual([]);
    expect(code).toBe(0);
    expect(results.stages.map((s) => s.offeredRps)).toEqual([20, 1000]);
    expect(printed).toMatch(/\| offered r\/s \|/);
    expect(printed).toMatch(/verdict\s+PASS/);
  });

  it('records per stage the rates, latencies, status counts and server peaks', () => {
    for (const stage of results.stages) {
      expect(stage.sent).toBeGreaterThan(0);
      expect(stage.answered).toBe(stage.sent);
      expect(Object.values(stage.byStatus).reduce((a, b) => a + b, 0)).toBe(stage.answered);
      expect(stage.latencyMs.p50).toBeLessThanOrEqual(stage.latencyMs.p99);
      expect(stage.latencyMs.p99).toBeLessThanOrEqual(stage.latencyMs.max);
      expect(stage.server.samples).toBeGreaterThan(0);
      expect(stage.server.rssBytes).toBeGreaterThan(0);
    }
    expect(results.stages[0]?.byStatus['200']).toBe(results.stages[0]?.sent);
  });

  it('answers health after every stage and never leaves a request unanswered', () => {
    for (const stage of results.stages) {
      expect(stage.health.ok).toBe(true);
      expect(stage.timeouts + stage.networkErrors).toBe(0);
    }
  });

  it('sheds overload with 429/503, every 503 with Retry-After', () => {
    const overload = results.stages[1];
    const shed = (overload?.byStatus['429'] ?? 0) + (overload?.byStatus['503'] ?? 0);
    expect(shed).toBeGreaterThan(0);
    for (const stage of results.stages) expect(stage.retryAfter['503'] ?? 0).toBe(stage.byStatus['503'] ?? 0);
  });

  it('keeps the backlog, the queues and the requests in flight under their limits', () => {
    const { peaks, limits } = results.summary;
    expect(peaks.backlogBytes).toBeLessThanOrEqual(limits.backlogBytes);
    expect(peaks.queueDepth).toBeLessThanOrEqual(limits.queueDepth);
    expect(peaks.httpInFlight).toBeLessThanOrEqual(limits.httpInFlight);
  });

  it('loses no acknowledged event: all of them are accounted for after settling', () => {
    const { ledger, settled } = results.summary;
    expect(settled).toBe(true);
    expect(ledger.acknowledged).toBeGreaterThan(0);
    expect(ledger.unknownOutcome).toBe(0);
    expect(ledger.landed).toBe(ledger.acknowledged);
    expect(ledger.balanced).toBe(true);
  });
});
