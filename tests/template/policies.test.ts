// Security invariants of the packaged stack: encryption at rest everywhere data rests, no public
// buckets, TLS-only access, API keys, dead-letter queues, least-privilege roles — with the S3 KMS
// option both off (as packaged) and on.
import { describe, expect, it } from 'vitest';
import { isObject, resolveConditions } from './intrinsics.js';
import { allStatements, isWildcardAction, resourceText, roleStatements, type Statement } from './policies.js';
import { packagedCustom, props, resourcesOfType, type Template, template } from './template.js';

const packaged = template();
const withKms = resolveConditions(packaged, { UseS3Kms: true });
const withoutKms = resolveConditions(packaged, { UseS3Kms: false });

/**
 * The only statements allowed a "*" resource: actions AWS offers no resource-level permission for.
 * - xray:PutTraceSegments / PutTelemetryRecords: X-Ray has no resource types (every traced λ role).
 * - cloudwatch:PutMetricData: no resource types; narrowed by a cloudwatch:namespace condition (Glue job).
 */
const starResourceAllowList: { actions: string[]; requiredCondition?: string }[] = [
  { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] },
  { actions: ['cloudwatch:PutMetricData'], requiredCondition: 'cloudwatch:namespace' },
];

const allowedStar = (s: Statement): boolean =>
  starResourceAllowList.some(
    (entry) =>
      s.actions.every((a) => entry.actions.includes(a)) &&
      (entry.requiredCondition === undefined || JSON.stringify(s.Condition ?? {}).includes(entry.requiredCondition)),
  );

/** Function name (without `<service>-<stage>-`) → the role it must run with (infra/resources/iam.yml). */
const functionRoles: Record<string, string> = {
  transform: 'TransformRole',
  ingest: 'IngestRole',
  health: 'HealthRole',
  'start-parquet-job': 'StartParquetJobRole',
  'start-reports': 'StartReportsRole',
  'publish-report': 'PublishReportRole',
  'retry-failed-run': 'RetryFailedRunRole',
};

/**
 * API routes served without a key, on purpose: the health λ answers GET /v1/health and the JSON
 * 404/405 for unknown routes and methods (it reads nothing and writes nothing).
 */
const keylessApiFunctions = ['HealthLambdaFunction'];

describe.each([
  ['SSE-S3', withoutKms],
  ['SSE-KMS', withKms],
])('policies with %s', (_mode, t: Template) => {
  const statements = allStatements(t);

  it('never allow a wildcard action or NotAction', () => {
    const offending = statements
      .filter((s) => s.Effect === 'Allow')
      .filter((s) => s.NotAction !== undefined || s.actions.some(isWildcardAction))
      .map((s) => `${s.owner}/${s.Sid ?? '?'}: ${s.actions.join(',')}`);
    expect(offending).toEqual([]);
  });

  it('allow a * resource only for allow-listed actions', () => {
    const star = statements.filter((s) => s.Effect === 'Allow' && s.kind === 'identity' && s.resources.includes('*'));
    expect(star.length).toBeGreaterThan(0);
    expect(star.filter((s) => !allowedStar(s)).map((s) => `${s.owner}/${s.Sid}: ${s.actions.join(',')}`)).toEqual([]);
    const anyResource = statements.filter((s) => s.Effect === 'Allow' && s.NotResource !== undefined);
    expect(anyResource).toEqual([]);
  });

  it('grant KMS use only on the configured key, and only when SSE-KMS is on', () => {
    const kms = statements.filter((s) => s.actions.some((a) => a.startsWith('kms:')));
    if (t === withoutKms) expect(kms).toEqual([]);
    else {
      expect(kms.map((s) => s.owner).sort()).toEqual(
        [
          'DeviceDeliveryRole',
          'DirectDeliveryRole',
          'GlueJobRole',
          'PublishReportRole',
          'RetryFailedRunRole',
          'StartParquetJobRole',
          'StartReportsRole',
        ].sort(),
      );
      for (const s of kms) expect(s.resources).toEqual([packagedCustom().stack.s3KmsKeyArn]);
    }
  });

  it('encrypt every bucket by default', () => {
    for (const [id, bucket] of resourcesOfType(t, 'AWS::S3::Bucket')) {
      const rule = bucket.Properties?.BucketEncryption;
      const algorithm = JSON.stringify(rule);
      expect(algorithm, id).toMatch(t === withKms && id !== 'ServerlessDeploymentBucket' ? /"aws:kms"/ : /"AES256"/);
    }
  });
});

describe('data at rest', () => {
  const t = withoutKms;

  it('every queue uses server-side encryption', () => {
    const queues = resourcesOfType(t, 'AWS::SQS::Queue');
    expect(queues).toHaveLength(7);
    for (const [id, q] of queues) {
      expect(q.Properties?.SqsManagedSseEnabled === true || q.Properties?.KmsMasterKeyId !== undefined, id).toBe(true);
    }
  });

  it('every Kinesis stream is KMS-encrypted', () => {
    for (const [id, s] of resourcesOfType(t, 'AWS::Kinesis::Stream')) {
      expect(s.Properties?.StreamEncryption, id).toMatchObject({ EncryptionType: 'KMS' });
    }
  });

  it('every delivery stream encrypts, itself (DirectPut) or through its encrypted source stream', () => {
    for (const [id, d] of resourcesOfType(t, 'AWS::KinesisFirehose::DeliveryStream')) {
      const p = d.Properties ?? {};
      if (p.DeliveryStreamType === 'KinesisStreamAsSource') {
        const source = JSON.parse(resourceText(p.KinesisStreamSourceConfiguration ?? null)).KinesisStreamARN;
        const stream = t.Resources[source['Fn::GetAtt'][0]];
        expect(stream?.Properties?.StreamEncryption, id).toMatchObject({ EncryptionType: 'KMS' });
      } else {
        expect(p.DeliveryStreamEncryptionConfigurationInput, id).toMatchObject({ KeyType: expect.any(String) });
      }
    }
  });
});

describe('buckets', () => {
  const t = withoutKms;
  const buckets = resourcesOfType(t, 'AWS::S3::Bucket');
  const bucketPolicies = resourcesOfType(t, 'AWS::S3::BucketPolicy');

  it.each(buckets)('%s blocks all public access', (_id, bucket) => {
    expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it.each(buckets)('%s denies every request not made over TLS', (id) => {
    const policy = bucketPolicies.find(([, p]) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: id }));
    const deny = allStatements({ Resources: Object.fromEntries(policy ? [policy] : []) }).find(
      (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":false}}',
    );
    expect(deny?.Principal).toBe('*');
    expect(deny?.actions).toEqual(['s3:*']);
    expect(deny?.resources).toHaveLength(2);
    expect(resourceText(deny?.resources ?? [])).toContain('/*');
  });

  it('the data buckets enforce bucket ownership (no ACLs)', () => {
    for (const id of ['IngestBucket', 'LakeBucket', 'ReportingBucket']) {
      expect(props(t, id).OwnershipControls.Rules, id).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    }
  });
});

describe('queues', () => {
  const t = withoutKms;
  const queues = resourcesOfType(t, 'AWS::SQS::Queue');
  const redriveTargets = queues.flatMap(([, q]) => {
    const redrive = q.Properties?.RedrivePolicy;
    return isObject(redrive) && isObject(redrive.deadLetterTargetArn)
      ? [resourceText(redrive.deadLetterTargetArn)]
      : [];
  });
  // Dead letters of async invokes and EventBridge targets (retry-failed-run) are queues too.
  const onFailureTargets = resourcesOfType(t, 'AWS::Lambda::EventInvokeConfig').map(([, c]) =>
    resourceText(JSON.parse(resourceText(c.Properties?.DestinationConfig ?? null)).OnFailure.Destination),
  );
  const ruleDeadLetterTargets = resourcesOfType(t, 'AWS::Events::Rule').flatMap(([, r]) =>
    JSON.parse(resourceText(r.Properties?.Targets ?? [])).flatMap((target: { DeadLetterConfig?: { Arn: unknown } }) =>
      target.DeadLetterConfig ? [JSON.stringify(target.DeadLetterConfig.Arn)] : [],
    ),
  );
  const deadLetterTargets = [...redriveTargets, ...onFailureTargets, ...ruleDeadLetterTargets];

  it('every queue that is not a dead-letter queue has one, after at least 5 receives', () => {
    const sources = queues.filter(([id]) => !deadLetterTargets.includes(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })));
    expect(sources.map(([id]) => id).sort()).toEqual(['CuratedRunsQueue', 'RawObjectsQueue', 'ReportResultsQueue']);
    for (const [id, q] of sources) {
      const redrive = q.Properties?.RedrivePolicy as {
        deadLetterTargetArn: { 'Fn::GetAtt': [string, string] };
        maxReceiveCount: number;
      };
      expect(t.Resources[redrive.deadLetterTargetArn['Fn::GetAtt'][0]]?.Type, id).toBe('AWS::SQS::Queue');
      expect(redrive.maxReceiveCount, id).toBeGreaterThanOrEqual(5);
    }
  });

  it('the async invoke and both retry rules dead-letter into the retry DLQ, nowhere else', () => {
    const retryDlq = JSON.stringify({ 'Fn::GetAtt': ['RetryFailedRunDeadLetterQueue', 'Arn'] });
    expect(onFailureTargets).toEqual([retryDlq]);
    expect(ruleDeadLetterTargets).toEqual([retryDlq, retryDlq]);
  });

  it('only S3, from the one bucket and account, may send to a hand-off queue', () => {
    const sends = allStatements(t).filter(
      (s) =>
        s.kind === 'resource' &&
        s.actions.includes('sqs:SendMessage') &&
        s.owner !== 'RetryFailedRunDeadLetterQueuePolicy',
    );
    expect(sends).toHaveLength(3);
    for (const s of sends) {
      expect(s.Principal).toEqual({ Service: 's3.amazonaws.com' });
      expect(Object.keys(s.Condition ?? {}).sort()).toEqual(['ArnEquals', 'StringEquals']);
      expect(resourceText(s.Condition ?? {})).toMatch(/aws:SourceArn.*arn:.*:s3:::/);
    }
  });
});

describe('the API', () => {
  const methods = resourcesOfType(packaged, 'AWS::ApiGateway::Method');
  const target = (id: string) =>
    resourceText(props(packaged, id).Integration?.Uri ?? null).match(/"Fn::GetAtt":\["(\w+)"/)?.[1];

  it('requires an API key on every method except CORS preflight and the allow-listed keyless routes', () => {
    const keyless = methods
      .filter(([, m]) => m.Properties?.HttpMethod !== 'OPTIONS' && m.Properties?.ApiKeyRequired !== true)
      .map(([id]) => id);
    expect(keyless.filter((id) => !keylessApiFunctions.includes(target(id) ?? ''))).toEqual([]);
  });

  it('requires a key to post events', () => {
    const posts = methods.filter(
      ([id, m]) => m.Properties?.HttpMethod === 'POST' && target(id) === 'IngestLambdaFunction',
    );
    expect(posts.length).toBeGreaterThan(0);
    for (const [, m] of posts) expect(m.Properties?.ApiKeyRequired).toBe(true);
  });
});

describe('function roles', () => {
  const t = withoutKms;
  const actionsOf = (role: string) => roleStatements(t, role).flatMap((s) => s.actions);
  const statements = allStatements(t);

  it('every function runs with its own role, never the shared default role', () => {
    const functions = resourcesOfType(t, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThan(0);
    const wrong = functions.flatMap(([, fn]) => {
      const name = String(fn.Properties?.FunctionName).replace(/^eventlake-test-/, '');
      const role = resourceText(fn.Properties?.Role ?? null);
      const expected = functionRoles[name];
      return role === JSON.stringify({ 'Fn::GetAtt': [expected, 'Arn'] })
        ? []
        : [`${name}: ${role}, expected role: ${expected}`];
    });
    expect(wrong).toEqual([]);
    // serverless grants its shared default role every SQS event source of the service.
    expect(t.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('the transform role can log and trace, nothing else (no S3 at all)', () => {
    expect(new Set(actionsOf('TransformRole').map((a) => a.split(':')[0]))).toEqual(new Set(['logs', 'xray']));
  });

  it('start-parquet-job may only start its own job, write run manifests and keep the cadence gate under _gate/', () => {
    const glue = roleStatements(t, 'StartParquetJobRole').filter((s) => s.actions.some((a) => a.startsWith('glue:')));
    expect(glue.flatMap((s) => s.actions)).toEqual(['glue:StartJobRun']);
    expect(resourceText(glue[0]?.resources ?? [])).toContain(':job/eventlake-test-parquet"');
    const s3 = roleStatements(t, 'StartParquetJobRole').filter((s) => s.actions.some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => s.actions)).toEqual([['s3:PutObject'], ['s3:GetObject', 's3:PutObject'], ['s3:ListBucket']]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholder
    expect(resourceText(s3[0]?.resources ?? [])).toContain('${LakeBucket.Arn}/_manifests/*');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholder
    expect(resourceText(s3[1]?.resources ?? [])).toContain('${LakeBucket.Arn}/_gate/*');
    expect(s3[2]?.Condition).toEqual({ StringLike: { 's3:prefix': '_gate/*' } });
  });

  it('ingest may only put records on the direct stream and read keys of its own usage plan', () => {
    const put = roleStatements(t, 'IngestRole').find((s) => s.actions.includes('firehose:PutRecordBatch'));
    expect(put?.actions).toEqual(['firehose:PutRecordBatch']);
    expect(put?.resources).toEqual([{ 'Fn::GetAtt': ['DirectDeliveryStream', 'Arn'] }]);
    expect(actionsOf('IngestRole').filter((a) => a.startsWith('apigateway:'))).toEqual([]);
    const lookup = props(t, 'IngestKeyLookupPolicy');
    expect(lookup.Roles).toEqual([{ Ref: 'IngestRole' }]);
    const keys = allStatements(t).filter((s) => s.owner === 'IngestKeyLookupPolicy');
    expect(keys.flatMap((s) => s.actions)).toEqual(['apigateway:GET', 'apigateway:GET']);
    expect(keys.flatMap((s) => s.resources)).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholder
      { 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}::/usageplans' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholder
      { 'Fn::Sub': 'arn:${AWS::Partition}:apigateway:${AWS::Region}::/usageplans/${ApiGatewayUsagePlan}/keys/*' },
    ]);
    // The plan it reads is the one on this stage's API, found by the name the λ is given.
    expect(props(t, 'ApiGatewayUsagePlan').ApiStages).toEqual([{ ApiId: { Ref: 'ApiGatewayRestApi' }, Stage: 'test' }]);
    expect(props(t, 'IngestLambdaFunction').Environment.Variables.USAGE_PLAN_NAME).toBe(
      props(t, 'ApiGatewayUsagePlan').UsagePlanName,
    );
  });

  it('nothing in the stack can read API key values (no apigateway:GET on /apikeys)', () => {
    const apiGatewayReads = statements.filter((s) => s.Effect === 'Allow' && s.actions.includes('apigateway:GET'));
    expect(apiGatewayReads.length).toBeGreaterThan(0);
    for (const s of apiGatewayReads) expect(resourceText(s.resources), `${s.owner}/${s.Sid}`).not.toContain('/apikeys');
  });

  it('start-reports starts queries only in the workgroup; publish-report lists only reports/', () => {
    const athena = roleStatements(t, 'StartReportsRole').filter((s) => s.actions.some((a) => a.startsWith('athena:')));
    expect(athena.flatMap((s) => s.actions)).toEqual(['athena:StartQueryExecution']);
    expect(resourceText(athena[0]?.resources ?? [])).toContain(':workgroup/eventlake-test-reports"');
    const list = roleStatements(t, 'PublishReportRole').find((s) => s.actions.includes('s3:ListBucket'));
    expect(list?.Condition).toEqual({ StringLike: { 's3:prefix': 'reports/*' } });
  });

  it('firehose roles write only under the transform zones and the error prefixes', () => {
    for (const role of ['DirectDeliveryRole', 'DeviceDeliveryRole']) {
      const put = roleStatements(t, role).find((s) => s.actions.includes('s3:PutObject'));
      expect(put?.resources.map((r) => (isObject(r) ? r['Fn::Sub'] : r))).toEqual(
        ['events/', 'late/', 'failed/', '*-failed/'].map((prefix) => `\${IngestBucket.Arn}/${prefix}*`),
      );
    }
    expect(actionsOf('DirectDeliveryRole').some((a) => a.startsWith('kinesis:'))).toBe(false);
    expect(actionsOf('DeviceDeliveryRole')).toContain('kinesis:GetRecords');
  });
});
