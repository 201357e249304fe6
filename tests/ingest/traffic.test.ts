import { describe, expect, it } from 'vitest';
import { transformRecord } from '#shared/transform/transform-record.js';
import {
  generateTraffic,
  rejectedAtEdge,
  type TrafficItem,
  type TrafficKind,
} from '../../local/tools/traffic/traffic.js';

const NOW = Date.parse('2025-11-22T12:00:00.000Z');
const take = (n: number, options: Partial<Parameters<typeof generateTraffic>[0]> = {}): TrafficItem[] => {
  const items: TrafficItem[] = [];
  for (const item of generateTraffic({
    seed: 7,
    appIds: ['shop-web', 'shop-ios'],
    devices: 20,
    now: () => NOW,
    ...options,
  })) {
    items.push(item);
    if (items.length === n) break;
  }
  return items;
};

const transformed = (item: TrafficItem) =>
  transformRecord(
    { recordId: 'r', data: Buffer.from(item.line).toString('base64'), approximateArrivalTimestamp: NOW },
    { deliveryStream: 'test' },
  );

describe('generateTraffic', () => {
  it('is deterministic for a seed', () => {
    expect(take(200)).toEqual(take(200));
    expect(take(50, { seed: 8 })).not.toEqual(take(50));
  });

  it('makes valid events of all six types that pass the real schemas, spread over the last day', () => {
    const items = take(1_500);
    const types = new Set<string>();
    for (const item of items) {
      const out = transformed(item);
      expect(out.zone, out.json).toBe('events');
      types.add(out.partitionType);
      const eventTime = Date.parse(JSON.parse(out.json).event_time);
      expect(eventTime).toBeGreaterThan(NOW - 86_400_000 - 60_000);
      expect(eventTime).toBeLessThanOrEqual(NOW);
    }
    expect([...types].sort()).toEqual([
      'add_to_cart',
      'app_error',
      'page_view',
      'purchase',
      'session_start',
      'telemetry_reading',
    ]);
    expect(new Set(items.map((i) => i.eventId)).size).toBe(items.length);
    expect(items.some((i) => i.deviceId !== undefined) && items.some((i) => i.appId !== undefined)).toBe(true);
  });

  it('makes invalid, late and duplicate events in about the asked shares, each failing the way it says', () => {
    const items = take(4_000, { invalidShare: 0.1, lateShare: 0.05, duplicateShare: 0.05 });
    const count = (kind: TrafficKind) => items.filter((i) => i.kind === kind).length;
    const invalid =
      count('schema_violation') + count('unknown_type') + count('envelope_violation') + count('malformed_json');
    expect(invalid / items.length).toBeCloseTo(0.09, 1);
    expect(count('late') / items.length).toBeCloseTo(0.045, 1);
    expect(count('duplicate') / items.length).toBeCloseTo(0.05, 1);
    const expectedZone: Record<TrafficKind, string> = {
      valid: 'events',
      duplicate: 'events',
      late: 'late',
      schema_violation: 'failed',
      unknown_type: 'failed',
      envelope_violation: 'failed',
      malformed_json: 'failed',
    };
    const seen = new Set<string>();
    for (const item of items) {
      expect(transformed(item).zone, item.kind).toBe(expectedZone[item.kind]);
      if (item.kind === 'duplicate') expect(seen.has(item.line)).toBe(true);
      if (item.kind === 'valid') seen.add(item.line);
    }
    expect(transformed(items.find((i) => i.kind === 'unknown_type') as TrafficItem).failureType).toBe(
      'unknown_event_type',
    );
    expect(transformed(items.find((i) => i.kind === 'malformed_json') as TrafficItem).failureType).toBe(
      'malformed_json',
    );
    expect(
      items
        .filter((i) => rejectedAtEdge(i.kind))
        .every((i) => i.kind === 'envelope_violation' || i.kind === 'malformed_json'),
    ).toBe(true);
  });
});
