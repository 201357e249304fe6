// retry-failed-run in the packaged stack: its EventBridge rules carry exactly the patterns the local
// bus uses (functions/retry-failed-run.ts), failures end in an alarmed DLQ, and its role can restart
// only the Parquet job's runs and the workgroup's queries.
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { athenaRetryPattern, glueRetryPattern } from '#shared/retries/routing.js';
import { allStatements, resourceText, roleStatements } from './policies.js';
import { props, resourcesOfType, template } from './template.js';

const t = template();
const prefix = `${config.service}-test`;
const fn = { 'Fn::GetAtt': ['RetryFailedRunLambdaFunction', 'Arn'] };
const dlq = { 'Fn::GetAtt': ['RetryFailedRunDeadLetterQueue', 'Arn'] };

const rulesOfRetry = () =>
  resourcesOfType(t, 'AWS::Events::Rule')
    .map(([, r]) => r.Properties ?? {})
    .filter((p) => resourceText(p.Targets ?? null).includes('RetryFailedRunLambdaFunction'));

describe('retry-failed-run', () => {
  it('is triggered by exactly the patterns the local bus matches, each rule dead-lettering to the retry DLQ', () => {
    const rules = rulesOfRetry();
    expect(rules.map((r) => r.EventPattern)).toEqual([
      glueRetryPattern(`${prefix}-${config.glue.jobName}`),
      athenaRetryPattern(`${prefix}-${config.athena.workgroup}`),
    ]);
    expect(rules.map((r) => r.Name)).toEqual([
      `${prefix}-retry-failed-glue-run`,
      `${prefix}-retry-failed-report-query`,
    ]);
    for (const rule of rules) {
      expect(rule.Targets).toEqual([expect.objectContaining({ Arn: fn, DeadLetterConfig: { Arn: dlq } })]);
    }
  });

  it('retries a failed async invoke twice, then sends the on-failure record to the retry DLQ', () => {
    const [[, invokeConfig] = []] = resourcesOfType(t, 'AWS::Lambda::EventInvokeConfig');
    expect(invokeConfig?.Properties).toMatchObject({
      FunctionName: { Ref: 'RetryFailedRunLambdaFunction' },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: dlq } },
    });
    expect(props(t, 'RetryFailedRunLambdaFunction').Environment.Variables).toMatchObject({
      GLUE_JOB_NAME: `${prefix}-${config.glue.jobName}`,
      ATHENA_WORKGROUP: `${prefix}-${config.athena.workgroup}`,
    });
  });

  it('lets only the two retry rules of this stack dead-letter into the DLQ, over TLS', () => {
    const statements = allStatements(t).filter((s) => s.owner === 'RetryFailedRunDeadLetterQueuePolicy');
    const allow = statements.find((s) => s.Effect === 'Allow');
    expect(allow?.Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(allow?.actions).toEqual(['sqs:SendMessage']);
    const sources = JSON.parse(resourceText(allow?.Condition ?? null)).ArnEquals['aws:SourceArn'];
    expect(sources.map((s: { 'Fn::Sub': string }) => s['Fn::Sub'].split(':rule/')[1])).toEqual(
      rulesOfRetry().map((r) => r.Name),
    );
    expect(statements.find((s) => s.Effect === 'Deny')?.Condition).toEqual({ Bool: { 'aws:SecureTransport': false } });
  });

  it('may restart only the Parquet job, only in the workgroup, and send only to its DLQ', () => {
    const statements = roleStatements(t, 'RetryFailedRunRole');
    const restart = statements.find((s) => s.Sid === 'RestartParquetRuns');
    expect(restart?.actions).toEqual(['glue:GetJobRun', 'glue:StartJobRun']);
    expect(resourceText(restart?.resources ?? [])).toContain(`:job/${prefix}-${config.glue.jobName}"`);
    const athena = statements.filter((s) => s.actions.some((a) => a.startsWith('athena:')));
    expect(athena.flatMap((s) => s.actions)).toEqual(['athena:GetQueryExecution', 'athena:StartQueryExecution']);
    expect(resourceText(athena[0]?.resources ?? [])).toContain(`:workgroup/${prefix}-${config.athena.workgroup}"`);
    const sqs = statements.filter((s) => s.actions.some((a) => a.startsWith('sqs:')));
    expect(sqs.map((s) => [s.actions, s.resources])).toEqual([[['sqs:SendMessage'], [dlq]]]);
    const glueRun = statements.filter((s) => s.actions.some((a) => /^glue:(Start|Get)JobRun$/.test(a)));
    expect(glueRun).toHaveLength(1);
  });
});
