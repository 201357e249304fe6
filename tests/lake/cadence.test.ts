import { describe, expect, it } from 'vitest';
import { cadenceSettings, decideRun, type PendingObject } from '#shared/lake/cadence.js';

const MIB = 1024 * 1024;
const settings = { maxDelayMs: 30 * 60_000, minBytes: 128 * MIB, maxRunBytes: 256 * MIB, maxRunObjects: 3 };
const t0 = Date.UTC(2025, 10, 22, 10, 0, 0);
const object = (key: string, bytes: number, announcedAt: number): PendingObject => ({
  bucket: 'ingest',
  key: `events/type=page_view/dt=2025-11-22/${key}`,
  bytes,
  announcedAt,
});

describe('decideRun', () => {
  it('waits with nothing pending', () => {
    expect(decideRun([], t0, settings)).toEqual({ start: false, wakeAt: undefined, pendingBytes: 0 });
  });

  it('waits below the byte threshold until the oldest object reaches the delay', () => {
    const pending = [object('b', 10 * MIB, t0 + 60_000), object('a', 5 * MIB, t0)];
    expect(decideRun(pending, t0 + 29 * 60_000, settings)).toEqual({
      start: false,
      wakeAt: t0 + 30 * 60_000,
      pendingBytes: 15 * MIB,
    });
    const due = decideRun(pending, t0 + 30 * 60_000, settings);
    expect(due.start && due.reason).toBe('delay');
    expect(due.start && due.objects.map((o) => o.key.slice(-1))).toEqual(['a', 'b']);
  });

  it('starts at once when the pending bytes reach the threshold', () => {
    const pending = [object('a', 100 * MIB, t0), object('b', 28 * MIB, t0 + 1)];
    const decision = decideRun(pending, t0 + 2, settings);
    expect(decision.start && decision.reason).toBe('bytes');
  });

  it('takes the oldest objects up to the run size and leaves the rest pending', () => {
    const pending = [object('c', 200 * MIB, t0 + 2), object('a', 100 * MIB, t0), object('b', 100 * MIB, t0 + 1)];
    const decision = decideRun(pending, t0 + 3, settings);
    if (!decision.start) throw new Error('expected a run');
    expect(decision.objects.map((o) => o.key.slice(-1))).toEqual(['a', 'b']);
    expect(decision.remaining.map((o) => o.key.slice(-1))).toEqual(['c']);
  });

  it('caps the object count and always takes at least one object', () => {
    const many = ['a', 'b', 'c', 'd'].map((k, i) => object(k, 1, t0 + i));
    const capped = decideRun(many, t0 + 31 * 60_000, settings);
    expect(capped.start && capped.objects.length).toBe(3);
    const huge = decideRun([object('x', 999 * MIB, t0)], t0, settings);
    expect(huge.start && huge.objects.length).toBe(1);
  });

  it('counts an object announced twice once, at its first announcement', () => {
    const pending = [object('a', 64 * MIB, t0 + 5 * 60_000), object('a', 64 * MIB, t0)];
    const decision = decideRun(pending, t0 + 30 * 60_000, settings);
    expect(decision.start && decision.objects).toEqual([object('a', 64 * MIB, t0)]);
  });
});

describe('cadenceSettings', () => {
  it('derives the thresholds from the config and scales the delay like the local clock', () => {
    const cloud = cadenceSettings();
    expect(cloud.maxDelayMs).toBe(30 * 60_000);
    expect(cloud.minBytes).toBe(128 * MIB);
    expect(cadenceSettings(0.001).maxDelayMs).toBe(1800);
  });

  it('keeps the default at most 48 runs a day on quiet traffic (delay ≥ 30 min)', () => {
    const { maxDelayMs } = cadenceSettings();
    expect((24 * 60 * 60_000) / maxDelayMs).toBeLessThanOrEqual(48);
  });
});
