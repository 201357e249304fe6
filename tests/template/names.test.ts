// Stage validation and the one place every physical name is derived (infra/names.cjs): the bounds
// (long stage, hyphens, digits first, uppercase), the packaged template using exactly those names,
// and the real `serverless package` refusing an uppercase stage with the message.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { repoRoot } from './paths.js';
import { props, resourcesOfType, stage, template } from './template.js';

type Names = Record<
  | 'prefix'
  | 'ingestBucket'
  | 'lakeBucket'
  | 'reportingBucket'
  | 'directStream'
  | 'deviceStream'
  | 'kinesisStream'
  | 'glueJob'
  | 'glueDatabase'
  | 'athenaWorkgroup'
  | 'iotRuleName'
  | 'alarmTopic',
  string
>;
const bucketKeys = ['ingestBucket', 'lakeBucket', 'reportingBucket'] as const;
const names = createRequire(import.meta.url)('../../infra/names.cjs') as {
  namesFor: (input: { stage: string; region?: string }) => Names;
  stageProblem: (stage: string) => string | undefined;
  maxStageLength: (region?: string) => number;
  ROLE_SUFFIXES: string[];
  FUNCTION_KEYS: string[];
};

// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholder
const bucketName = (sub: string) => sub.replace('${AWS::AccountId}', '123456789012');
const validBucket = (name: string) =>
  name.length >= 3 && name.length <= 63 && /^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(name) && !name.startsWith('xn--');

describe('stage names', () => {
  it.each(['dev', 'prod-eu-1', '1st', '42', 'a-b-c'])('accepts %s and derives legal names from it', (s) => {
    const n = names.namesFor({ stage: s });
    for (const key of bucketKeys) {
      expect(validBucket(bucketName(n[key])), n[key]).toBe(true);
    }
    expect(n.glueDatabase).toMatch(/^[a-z0-9_]+$/);
    expect(n.iotRuleName).toMatch(/^[A-Za-z0-9_]+$/);
    expect(n.directStream).toBe(`${config.service}-${s}-${config.firehose.directStream}`);
  });

  it('replaces hyphens with underscores where the service needs it', () => {
    const n = names.namesFor({ stage: 'prod-eu-1' });
    expect(n.glueDatabase).toBe(`${config.service}_prod_eu_1_${config.athena.database}`);
    expect(n.iotRuleName).toBe(`${config.service}_prod_eu_1_device_events`);
    expect(n.athenaWorkgroup).toBe(`${config.service}-prod-eu-1-${config.athena.workgroup}`);
  });

  it.each(['Prod', 'DEV', 'dev_1', '-dev', 'dev-', 'dev--1', 'dév', '', 'dev.eu'])('refuses %j with a message', (s) => {
    expect(names.stageProblem(s)).toMatch(/lowercase letters and digits/);
    expect(() => names.namesFor({ stage: s })).toThrow(`stage "${s}" is not allowed`);
  });

  it('accepts the longest stage every name fits, and refuses one character more, naming the name', () => {
    for (const region of ['eu-west-1', 'ap-southeast-2']) {
      const max = names.maxStageLength(region);
      expect(max).toBeGreaterThanOrEqual(15);
      const longest = names.namesFor({ stage: 'a'.repeat(max), region });
      for (const key of bucketKeys) {
        expect(validBucket(bucketName(longest[key])), longest[key]).toBe(true);
      }
      for (const suffix of names.ROLE_SUFFIXES) {
        expect(`${config.service}-${'a'.repeat(max)}-${region}-${suffix}`.length).toBeLessThanOrEqual(64);
      }
      expect(() => names.namesFor({ stage: 'a'.repeat(max + 1), region })).toThrow(
        /is too long: the role name .* is 65 characters, the limit is 64/,
      );
    }
    // A shorter region leaves room for a longer stage; buckets (63) bind before roles would.
    expect(names.maxStageLength('eu-west-1')).toBeGreaterThan(names.maxStageLength('ap-southeast-2'));
    expect(() => names.namesFor({ stage: 'a'.repeat(31), region: 'x' })).toThrow(/the bucket name/);
  });
});

describe('the packaged stack uses the derived names', () => {
  const t = template();
  const n = names.namesFor({ stage, region: config.region });

  it('buckets, streams, job, database, workgroup, rule and topic', () => {
    expect(props(t, 'IngestBucket').BucketName).toEqual({ 'Fn::Sub': n.ingestBucket });
    expect(props(t, 'LakeBucket').BucketName).toEqual({ 'Fn::Sub': n.lakeBucket });
    expect(props(t, 'ReportingBucket').BucketName).toEqual({ 'Fn::Sub': n.reportingBucket });
    expect(props(t, 'DirectDeliveryStream').DeliveryStreamName).toBe(n.directStream);
    expect(props(t, 'DeviceDeliveryStream').DeliveryStreamName).toBe(n.deviceStream);
    expect(props(t, 'DeviceStream').Name).toBe(n.kinesisStream);
    expect(props(t, 'ParquetJob').Name).toBe(n.glueJob);
    expect(props(t, 'GlueDatabase').DatabaseInput.Name).toBe(n.glueDatabase);
    expect(props(t, 'AthenaWorkGroup').Name).toBe(n.athenaWorkgroup);
    expect(props(t, 'DeviceTopicRule').RuleName).toBe(n.iotRuleName);
    expect(props(t, 'AlarmTopic').TopicName).toBe(n.alarmTopic);
  });

  it('every role and function name is one the length check covers', () => {
    for (const [id, role] of resourcesOfType(t, 'AWS::IAM::Role')) {
      const sub = JSON.stringify(role.Properties?.RoleName);
      const suffix = /\$\{AWS::Region\}-([a-z-]+)"/.exec(sub)?.[1];
      expect(names.ROLE_SUFFIXES, `${id}: ${sub}`).toContain(suffix);
    }
    for (const [id, fn] of resourcesOfType(t, 'AWS::Lambda::Function')) {
      const key = String(fn.Properties?.FunctionName).slice(n.prefix.length);
      expect(names.FUNCTION_KEYS, id).toContain(key);
    }
  });
});

describe('serverless package', () => {
  it('refuses an uppercase stage with the message, before packaging anything', () => {
    const run = spawnSync('npx', ['serverless', 'package', '--stage', 'Prod', '--package', '/tmp/eventlake-never'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.status).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toContain('stage "Prod" is not allowed: use lowercase letters and digits');
  }, 130_000);
});
