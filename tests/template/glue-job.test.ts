// The Parquet job's compaction settings, catalog access and lake metrics in the packaged stack: the
// arguments it runs with come from the pipeline config, and its role may manage exactly the events
// table's partitions, delete only curated data and its ledger, and publish only to its namespaces.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { allStatements, resourceText, roleStatements } from './policies.js';
import { packagedCustom, props, template } from './template.js';

const t = template();
const args = props(t, 'ParquetJob').DefaultArguments;
const statements = roleStatements(t, 'GlueJobRole');
const glueArn = (suffix: string) => ({
  'Fn::Sub': `arn:\${AWS::Partition}:glue:\${AWS::Region}:\${AWS::AccountId}:${suffix}`,
});

describe('Parquet job arguments', () => {
  it('names the Glue database and the events table whose partitions it manages', () => {
    expect(args['--database']).toEqual({ Ref: 'GlueDatabase' });
    expect(args['--table']).toBe(props(t, 'EventsTable').TableInput.Name);
  });

  it('passes glue.compaction and targetFileSizeMB as one JSON string', () => {
    expect(typeof args['--compaction']).toBe('string');
    expect(JSON.parse(args['--compaction'])).toEqual({
      ...config.glue.compaction,
      targetFileSizeMB: config.glue.targetFileSizeMB,
    });
  });

  it('passes the workers the job runs with, for its DPU-seconds, as a string', () => {
    const job = props(t, 'ParquetJob');
    expect(args['--workers']).toBe(`${job.NumberOfWorkers} x ${job.WorkerType}`);
    expect(args['--metrics_namespace']).toBe(packagedCustom().stack.alarms.metricsNamespace);
    for (const [name, value] of Object.entries(args)) {
      if (typeof value !== 'object') expect(typeof value, name).toBe('string');
    }
  });
});

describe('Parquet job role', () => {
  it('manages exactly the events table partitions: the catalog, the database and the table, no wildcard', () => {
    const glue = statements.filter((s) => s.actions.some((a) => a.startsWith('glue:')));
    expect(glue).toHaveLength(1);
    expect(glue[0]?.actions.sort()).toEqual(
      [
        'glue:BatchCreatePartition',
        'glue:BatchGetPartition',
        'glue:GetPartitions',
        'glue:GetTable',
        'glue:UpdatePartition',
      ].sort(),
    );
    expect(glue[0]?.resources).toEqual([
      glueArn('catalog'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholder
      glueArn('database/${GlueDatabase}'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholder
      glueArn('table/${GlueDatabase}/events'),
    ]);
    expect(glue[0]?.Condition).toBeUndefined();
    expect(resourceText(glue[0]?.resources ?? [])).not.toContain('*');
  });

  it('deletes objects only under the curated prefix, the compaction ledger, run markers and the temp dir', () => {
    const deletes = statements.filter((s) => s.actions.includes('s3:DeleteObject'));
    expect(deletes.flatMap((s) => s.resources)).toEqual(
      [config.prefixes.curated, '_compaction/', config.prefixes.runMarkers, config.prefixes.glueTemp].map((prefix) => ({
        'Fn::Sub': `\${LakeBucket.Arn}/${prefix}*`,
      })),
    );
  });

  it('publishes metrics only to Glue and the stack namespace', () => {
    const put = allStatements(t).filter(
      (s) => s.owner === 'GlueJobRole' && s.actions.includes('cloudwatch:PutMetricData'),
    );
    expect(put).toHaveLength(1);
    expect(put[0]?.actions).toEqual(['cloudwatch:PutMetricData']);
    expect(put[0]?.Condition).toEqual({
      StringEquals: { 'cloudwatch:namespace': ['Glue', packagedCustom().stack.alarms.metricsNamespace] },
    });
  });

  it('no other role of the stack may change the Glue catalog', () => {
    const writes = /^glue:(Batch)?(Create|Update|Delete)/;
    const others = allStatements(t).filter((s) => s.owner !== 'GlueJobRole' && s.actions.some((a) => writes.test(a)));
    expect(others.map((s) => `${s.owner}: ${s.actions.join(',')}`)).toEqual([]);
  });
});
