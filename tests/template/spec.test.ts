// Every resource of the packaged stack conforms to the CloudFormation resource specification, and
// the validator itself catches the mistakes it exists for.
import { describe, expect, it } from 'vitest';
import { cfnSpec, validateResource } from './cfn-spec.js';
import type { Resource } from './template.js';
import { template } from './template.js';

const spec = cfnSpec();

describe('packaged template against the CloudFormation spec', () => {
  const resources = Object.entries(template().Resources);

  it('packages a stack with every resource area', () => {
    const types = new Set(resources.map(([, r]) => r.Type));
    for (const type of [
      'AWS::S3::Bucket',
      'AWS::SQS::Queue',
      'AWS::KinesisFirehose::DeliveryStream',
      'AWS::Kinesis::Stream',
      'AWS::IoT::TopicRule',
      'AWS::Glue::Table',
      'AWS::Glue::Job',
      'AWS::Athena::WorkGroup',
      'AWS::CloudWatch::Alarm',
      'AWS::IAM::Role',
    ]) {
      expect(types, type).toContain(type);
    }
  });

  it.each(resources)('%s has a known type, known properties and every required one', (id, resource) => {
    expect(validateResource(spec, id, resource)).toEqual([]);
  });
});

describe('the spec validator', () => {
  const queue = (properties: Resource['Properties'], extra: Partial<Resource> = {}): Resource => ({
    Type: 'AWS::SQS::Queue',
    Properties: properties,
    ...extra,
  });

  it('rejects an unknown resource type', () => {
    expect(validateResource(spec, 'Q', { Type: 'AWS::SQS::Queues' })).toEqual([
      'Q: unknown resource type AWS::SQS::Queues',
    ]);
  });

  it('rejects a misspelled top-level property and resource attribute', () => {
    expect(
      validateResource(spec, 'Q', queue({ VisibilityTimout: 30 }, { DependOn: 'X' } as Partial<Resource>)),
    ).toEqual(['Q.DependOn: not a resource attribute', 'Q.VisibilityTimout: unknown property']);
  });

  it('rejects a missing required property and a misspelling deep in nested property types', () => {
    const stream: Resource = {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: {
        ExtendedS3DestinationConfiguration: {
          BucketARN: 'arn:aws:s3:::b',
          RoleARN: 'arn:aws:iam::1:role/r',
          ProcessingConfiguration: { Processors: [{ Type: 'Lambda', Parameters: [{ ParameterName: 'LambdaArn' }] }] },
          BufferingHints: { SizeInMB: 64 },
        },
      },
    };
    const errors = validateResource(spec, 'S', stream);
    expect(errors).toContainEqual(expect.stringMatching(/BufferingHints<BufferingHints>\.SizeInMB: unknown property$/));
    expect(errors).toContainEqual(
      expect.stringMatching(/Parameters\[0\]<ProcessorParameter>\.ParameterValue: required/),
    );
    expect(errors).toHaveLength(2);
  });

  it('rejects wrong value shapes and checks both branches of Fn::If', () => {
    expect(validateResource(spec, 'Q', queue({ VisibilityTimeout: 'soon', Tags: { Key: 'k' } }))).toEqual([
      'Q.VisibilityTimeout: expected a number',
      'Q.Tags: expected a list',
    ]);
    const bucket: Resource = {
      Type: 'AWS::S3::Bucket',
      Properties: { BucketEncryption: { 'Fn::If': ['C', { ServerSideEncryptionConfiguration: [] }, { Nope: 1 }] } },
    };
    expect(validateResource(spec, 'B', bucket)).toEqual([
      'B.BucketEncryption<BucketEncryption>.Nope: unknown property',
      'B.BucketEncryption<BucketEncryption>.ServerSideEncryptionConfiguration: required property missing',
    ]);
  });

  it('accepts values only known at deploy time', () => {
    expect(
      validateResource(spec, 'Q', queue({ VisibilityTimeout: { Ref: 'Timeout' }, QueueName: { 'Fn::Sub': 'x' } })),
    ).toEqual([]);
  });
});
