import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { compileTimestamp, firehoseObjectName, PrefixTemplate, randomString } from '../../local/firehose/prefix.js';

const at = Date.UTC(2025, 0, 2, 3, 4, 5, 6);

describe('PrefixTemplate', () => {
  it('evaluates the configured prefix from the Lambda partition keys', () => {
    const prefix = new PrefixTemplate(config.firehose.prefix);
    const keys = { zone: 'events', event_type: 'purchase', dt: '2025-11-22' };
    expect(prefix.partitionKeyNames).toEqual(['zone', 'event_type', 'dt']);
    expect(prefix.render({ keys, oldestArrival: at })).toBe('events/type=purchase/dt=2025-11-22/');
    expect(prefix.partitionOf(keys)).toBe(prefix.partitionOf({ ...keys }));
    expect(prefix.partitionOf({ ...keys, dt: '2025-11-23' })).not.toBe(prefix.partitionOf(keys));
    expect(prefix.partitionOf({ zone: 'events', event_type: 'purchase' })).toBeUndefined();
    expect(prefix.partitionOf(undefined)).toBeUndefined();
  });

  it('evaluates the error output prefix with the error type and the oldest arrival time', () => {
    const prefix = new PrefixTemplate(config.firehose.errorOutputPrefix);
    expect(prefix.render({ oldestArrival: at, errorOutputType: 'processing-failed' })).toBe(
      'processing-failed/dt=2025-01-02/',
    );
  });

  it('supports timestamp patterns, quoted text and random strings', () => {
    const prefix = new PrefixTemplate(
      "raw/!{timestamp:yyyy/MM/dd/HH}/!{timestamp:'T'mm:ss.SSS}/!{firehose:random-string}/",
    );
    expect(prefix.render({ oldestArrival: at })).toMatch(/^raw\/2025\/01\/02\/03\/T04:05\.006\/[A-Za-z0-9]{11}\/$/);
    expect(compileTimestamp('yy-MM')(at)).toBe('25-01');
    expect(randomString()).toMatch(/^[A-Za-z0-9]{11}$/);
  });

  it('rejects expressions Firehose would not accept', () => {
    expect(() => new PrefixTemplate('!{nope:x}')).toThrow(/unsupported/);
    expect(() => new PrefixTemplate('!{timestamp:QQ}')).toThrow(/unsupported/);
  });

  it('names objects <stream>-1-<yyyy-MM-dd-HH-mm-ss>-<uuid>.gz', () => {
    expect(firehoseObjectName('direct', at)).toMatch(/^direct-1-2025-01-02-03-04-05-[0-9a-f-]{36}\.gz$/);
  });
});
