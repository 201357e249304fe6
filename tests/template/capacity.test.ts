// The capacity choices the cost model bills (docs/cost.md): the device stream's mode and shards come
// from `devices.streamMode` / `devices.shardCount`, the Glue job's execution class from
// `glue.executionClass`; both branches of the stream's ShardCount condition are valid.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { resolveConditions } from './intrinsics.js';
import { props, template } from './template.js';

const t = template();

describe('device stream capacity', () => {
  it('takes its mode from devices.streamMode, provisioned by default', () => {
    expect(config.devices.streamMode).toBe('PROVISIONED');
    expect(props(t, 'DeviceStream').StreamModeDetails).toEqual({ StreamMode: config.devices.streamMode });
    expect(t.Conditions?.DeviceStreamProvisioned).toEqual({ 'Fn::Equals': ['PROVISIONED', 'PROVISIONED'] });
  });

  it('has devices.shardCount shards when provisioned, and no ShardCount on demand', () => {
    expect(Number.isInteger(config.devices.shardCount) && config.devices.shardCount >= 1).toBe(true);
    const provisioned = resolveConditions(t, { DeviceStreamProvisioned: true });
    expect(props(provisioned, 'DeviceStream').ShardCount).toBe(config.devices.shardCount);
    const onDemand = resolveConditions(t, { DeviceStreamProvisioned: false });
    expect(props(onDemand, 'DeviceStream')).not.toHaveProperty('ShardCount');
    expect(resolveConditions(t).Resources.DeviceStream?.Properties?.ShardCount).toBe(config.devices.shardCount);
  });
});

describe('Glue execution class', () => {
  it('runs the Parquet job in glue.executionClass', () => {
    expect(['STANDARD', 'FLEX']).toContain(config.glue.executionClass);
    expect(props(t, 'ParquetJob').ExecutionClass).toBe(config.glue.executionClass);
  });
});
