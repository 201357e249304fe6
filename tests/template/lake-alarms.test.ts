// The lake's health alarms: small files (many AND small curated files per partition) and daily cost
// (Glue DPU-seconds, Athena bytes scanned), thresholds from the pipeline config, on the alarm topic.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { allStatements } from './policies.js';
import { props, stage, template } from './template.js';

const t = template();
const namespace = `${config.service}-${stage}`;
const day = 86_400;

describe('lake health alarms', () => {
  it('small files: fires only when the most files per partition is over the limit and their median under the minimum', () => {
    const alarm = props(t, 'CuratedSmallFilesAlarm');
    const metric = (id: string) => alarm.Metrics.find((m: { Id: string }) => m.Id === id).MetricStat;
    expect(metric('files').Metric).toEqual({ Namespace: namespace, MetricName: 'CuratedFilesMaxPerPartition' });
    expect(metric('files').Stat).toBe('Maximum');
    expect(metric('median').Metric).toEqual({ Namespace: namespace, MetricName: 'CuratedFileMedianBytes' });
    expect(metric('files').Period).toBe(config.alarms.lakeHealthPeriodSeconds);
    const expression = alarm.Metrics.find((m: { ReturnData: boolean }) => m.ReturnData).Expression;
    expect(expression).toBe(
      `IF(files > ${config.alarms.curatedFilesMaxPerPartition} AND median < ${config.alarms.curatedFileMedianBytesMin}, 1, 0)`,
    );
    expect(alarm).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('Glue cost: the day’s DPU-seconds of the Parquet job over the budget', () => {
    expect(props(t, 'GlueDailyDpuAlarm')).toMatchObject({
      Namespace: namespace,
      MetricName: 'ParquetJobDpuSeconds',
      Statistic: 'Sum',
      Period: day,
      EvaluationPeriods: 1,
      Threshold: config.alarms.glueDpuSecondsPerDay,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('Athena cost: the day’s bytes scanned by DML queries in the workgroup, succeeded or failed', () => {
    const alarm = props(t, 'AthenaDailyBytesAlarm');
    const stats = alarm.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat);
    expect(
      stats.map((m: { MetricStat: { Metric: { Dimensions: unknown } } }) => m.MetricStat.Metric.Dimensions),
    ).toEqual(
      ['SUCCEEDED', 'FAILED'].map((state) => [
        { Name: 'WorkGroup', Value: { Ref: 'AthenaWorkGroup' } },
        { Name: 'QueryState', Value: state },
        { Name: 'QueryType', Value: 'DML' },
      ]),
    );
    for (const m of stats) expect(m.MetricStat).toMatchObject({ Period: day, Stat: 'Sum' });
    expect(alarm.Threshold).toBe(config.alarms.athenaBytesScannedPerDay);
    expect(props(t, 'AthenaWorkGroup').WorkGroupConfiguration.PublishCloudWatchMetricsEnabled).toBe(true);
  });

  it('every lake alarm notifies the topic, and the Glue job may publish to the stack namespace', () => {
    for (const id of ['CuratedSmallFilesAlarm', 'GlueDailyDpuAlarm', 'AthenaDailyBytesAlarm']) {
      expect(props(t, id).AlarmActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(props(t, id).TreatMissingData, id).toBe('notBreaching');
    }
    const put = allStatements(t).find(
      (s) => s.owner === 'GlueJobRole' && s.actions.includes('cloudwatch:PutMetricData'),
    );
    expect(put?.Condition).toEqual({ StringEquals: { 'cloudwatch:namespace': ['Glue', namespace] } });
    expect(props(t, 'ParquetJob').DefaultArguments['--metrics_namespace']).toBe(namespace);
  });
});
