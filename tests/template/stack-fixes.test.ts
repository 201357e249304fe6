// Small template facts with a reason each: the workgroup waits for its result bucket, the Glue job
// runs without bookmarks (it reads an explicit key list) and without the pre-5.0 continuous-logging
// flag, and the CORS allow-list is the stage's own (none outside the stages the config lists).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { corsAllowedOriginsFor, parseOriginList } from '#shared/ingest/settings.js';
import { props, resource, template } from './template.js';

const t = template();
const stageSettings = createRequire(import.meta.url)('../../infra/stage-settings.cjs') as {
  corsAllowedOrigins: (stage: string, pipeline?: unknown) => string;
};

describe('template fixes', () => {
  it('the Athena workgroup depends on the reporting bucket its results go to', () => {
    expect([resource(t, 'AthenaWorkGroup').DependsOn].flat()).toContain('ReportingBucket');
  });

  it('the Parquet job runs with bookmarks disabled and no continuous-logging flag (Glue 5.0 logs in real time)', () => {
    const job = props(t, 'ParquetJob');
    expect(job.GlueVersion).toBe('5.0');
    expect(job.DefaultArguments['--job-bookmark-option']).toBe('job-bookmark-disable');
    expect(Object.keys(job.DefaultArguments)).not.toContain('--enable-continuous-cloudwatch-log');
  });
});

describe('CORS allow-list per stage', () => {
  it('packages stage test (not listed) with no allowed origin on both API functions', () => {
    for (const fn of ['IngestLambdaFunction', 'HealthLambdaFunction']) {
      expect(props(t, fn).Environment.Variables.CORS_ALLOWED_ORIGINS, fn).toBe('');
    }
  });

  it('gives dev its configured origins and every other stage none', () => {
    expect(stageSettings.corsAllowedOrigins('dev')).toBe(config.api.corsAllowedOrigins.dev.join(','));
    expect(stageSettings.corsAllowedOrigins('prod')).toBe('');
    expect(stageSettings.corsAllowedOrigins('constructor')).toBe('');
    const two = { api: { corsAllowedOrigins: { prod: ['https://a.example.com', 'https://b.example.com:8443'] } } };
    expect(stageSettings.corsAllowedOrigins('prod', two)).toBe('https://a.example.com,https://b.example.com:8443');
    expect(() =>
      stageSettings.corsAllowedOrigins('prod', { api: { corsAllowedOrigins: { prod: ['a.com/x'] } } }),
    ).toThrow(/is not an origin/);
  });

  it('the λ reads the same list back, and the local runtime (dev) keeps its origins', () => {
    expect(parseOriginList('https://a.example.com,https://b.example.com')).toEqual([
      'https://a.example.com',
      'https://b.example.com',
    ]);
    expect(parseOriginList('')).toEqual([]);
    expect(parseOriginList(undefined)).toEqual([]);
    expect(corsAllowedOriginsFor('dev')).toEqual(config.api.corsAllowedOrigins.dev);
    expect(corsAllowedOriginsFor('prod-eu-1')).toEqual([]);
    expect(corsAllowedOriginsFor('__proto__')).toEqual([]);
  });
});

describe('the device topic rule', () => {
  it('forwards every payload base64-encoded with the device id and the broker time (no SELECT *)', () => {
    const rule = props(t, 'DeviceTopicRule').TopicRulePayload;
    expect(rule.Sql).toBe(
      `SELECT encode(*, 'base64') AS payload_b64, topic(2) AS device_id, timestamp() AS received_ms FROM '${config.devices.topicFilter}'`,
    );
    expect(rule.Actions[0].Kinesis.PartitionKey).toEqual({ 'Fn::Join': ['', ['$', '{topic(2)}']] });
  });
});
