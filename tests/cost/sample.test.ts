// The cost model's sample (bench/cost/sample.ts): demo-mix traffic through the real ingest and
// transform λs, its valid events re-timed to near real time (the demo spreads event times over a
// day), so they land in the dt of their arrival; late events stay in the late zone.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { measureSample } from '../../bench/cost/sample.js';

describe('cost model: the measured sample', () => {
  it('puts every curated event in the dt of its arrival, and keeps the demo mix’s late events late', async () => {
    const sample = await measureSample(2000, config.firehose.packRecordBytes);
    const events = sample.records.filter((r) => r.partition.startsWith('events|'));
    const late = sample.records.filter((r) => r.partition.startsWith('late|'));
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((r) => r.dayOffset === 0)).toBe(true);
    // 1 % of the mix is late; packing puts several late events of one type in a record.
    const lateEvents = late.reduce((n, r) => n + r.events, 0);
    expect(lateEvents).toBeGreaterThan(0.005 * sample.events);
    expect(lateEvents).toBeLessThan(0.03 * sample.events);
  }, 60_000);
});
