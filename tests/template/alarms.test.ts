// What pages a human: DLQs not empty, stale Firehose delivery, Glue job failures, failed-event share
// (per-function Lambda alarms are covered with their plugin) — all on the one alarm topic.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { packagedCustom, props, resourcesOfType, template } from './template.js';

const t = template();
const stack = packagedCustom().stack;

describe('alarms', () => {
  const alarms = resourcesOfType(t, 'AWS::CloudWatch::Alarm');

  it('every alarm notifies the alarm topic', () => {
    expect(alarms.length).toBeGreaterThan(0);
    for (const [id, a] of alarms) expect(a.Properties?.AlarmActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
  });

  it('every dead-letter queue alarms as soon as it holds a message', () => {
    const dlqs = resourcesOfType(t, 'AWS::SQS::Queue').filter(([id]) => id.endsWith('DeadLetterQueue'));
    expect(dlqs).toHaveLength(4);
    for (const [dlq] of dlqs) {
      const alarm = alarms.find(
        ([, a]) =>
          a.Properties?.Namespace === 'AWS/SQS' &&
          JSON.stringify(a.Properties?.Dimensions) ===
            JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }]),
      );
      expect(alarm?.[1].Properties, dlq).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });

  it('both delivery streams alarm on data freshness over the threshold', () => {
    for (const stream of ['DirectDeliveryStream', 'DeviceDeliveryStream']) {
      expect(props(t, `${stream}FreshnessAlarm`)).toMatchObject({
        Namespace: 'AWS/Firehose',
        MetricName: 'DeliveryToS3.DataFreshness',
        Dimensions: [{ Name: 'DeliveryStreamName', Value: { Ref: stream } }],
        Threshold: stack.alarms.firehoseFreshnessSeconds,
      });
    }
    // One missed S3 flush is normal; the threshold must not fire on it.
    expect(stack.alarms.firehoseFreshnessSeconds).toBeGreaterThan(config.firehose.s3BufferIntervalSeconds);
  });

  it('the failed-event share alarm divides the transform’s FailedEvents by RecordsIn', () => {
    const alarm = props(t, 'FailedEventShareAlarm');
    expect(alarm.Threshold).toBe(stack.alarms.failedEventShare);
    const names = alarm.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).map(
      (m: { MetricStat: { Metric: { MetricName: string } } }) => m.MetricStat.Metric.MetricName,
    );
    expect(names.sort()).toEqual(['FailedEvents', 'RecordsIn']);
    expect(alarm.Metrics.find((m: { ReturnData: boolean }) => m.ReturnData).Expression).toBe(
      'IF(records > 0, failed / records, 0)',
    );
  });

  it('Glue FAILED and TIMEOUT states of the Parquet job reach the topic through EventBridge', () => {
    const rule = props(t, 'GlueJobFailedRule');
    expect(rule.EventPattern).toEqual({
      source: ['aws.glue'],
      'detail-type': ['Glue Job State Change'],
      detail: { jobName: [`${config.service}-test-${config.glue.jobName}`], state: ['FAILED', 'TIMEOUT'] },
    });
    expect(rule.Targets).toEqual([{ Id: 'alarm-topic', Arn: { Ref: 'AlarmTopic' } }]);
    const publish = JSON.stringify(props(t, 'AlarmTopicPolicy').PolicyDocument);
    expect(publish).toContain('events.amazonaws.com');
    expect(publish).toContain('"GlueJobFailedRule","Arn"');
  });

  it('subscribes the alarm email only when one is configured', () => {
    expect(t.Resources.AlarmEmailSubscription?.Condition).toBe('HasAlarmEmail');
  });
});
