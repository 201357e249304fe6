// What pages a human: DLQs not empty, stale Firehose delivery, Glue job failures, failed-event share,
// failed Glue runs per hour and runs or report queries the retry λ gave up
// (per-function Lambda alarms are covered with their plugin) — all on the one alarm topic.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { retryMetrics } from '#shared/retries/report.js';
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

  it('a Glue run or report query the retry λ gave up pages at once: Sum of …Abandoned ≥ 1 in one period', () => {
    for (const [id, metric] of [
      ['GlueRunsAbandonedAlarm', 'GlueRunsAbandoned'],
      ['ReportQueriesAbandonedAlarm', 'ReportQueriesAbandoned'],
    ] as const) {
      expect(props(t, id), id).toMatchObject({
        Namespace: `${config.service}-test`,
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: config.service }],
        Statistic: 'Sum',
        Period: config.alarms.periodSeconds,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: 'AlarmTopic' }],
      });
    }
  });

  it('failed Glue runs, retried or not, alarm at alarms.glueRunsFailedPerHour in an hour', () => {
    expect(props(t, 'GlueRunsFailedAlarm')).toMatchObject({
      Namespace: `${config.service}-test`,
      MetricName: 'GlueRunsFailed',
      Dimensions: [{ Name: 'service', Value: config.service }],
      Statistic: 'Sum',
      Period: 3600,
      EvaluationPeriods: 1,
      Threshold: config.alarms.glueRunsFailedPerHour,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('the metrics the alarms read are the ones the retry λ publishes, in the namespace its entry uses', () => {
    const env = props(t, 'RetryFailedRunLambdaFunction').Environment.Variables;
    expect(env).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: `${config.service}-test`,
      POWERTOOLS_SERVICE_NAME: config.service,
    });
    expect(Object.values(retryMetrics.glue)).toEqual(['GlueRunsFailed', 'GlueRunsRetried', 'GlueRunsAbandoned']);
    expect(retryMetrics.athena.abandoned).toBe('ReportQueriesAbandoned');
  });

  it('subscribes the alarm email only when one is configured', () => {
    expect(t.Resources.AlarmEmailSubscription?.Condition).toBe('HasAlarmEmail');
  });
});
