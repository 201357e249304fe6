// IAM and resource policies of a template, flattened to statements for assertions.
import { isObject } from './intrinsics.js';
import type { Json, JsonObject, Template } from './template.js';

export interface Statement {
  /** Logical id of the resource holding the policy. */
  owner: string;
  kind: 'identity' | 'resource' | 'trust';
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  actions: string[];
  resources: Json[];
  Principal?: Json;
  Condition?: JsonObject;
  NotAction?: Json;
  NotResource?: Json;
}

const list = (value: Json | undefined): Json[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function statementsOf(owner: string, kind: Statement['kind'], document: Json | undefined): Statement[] {
  if (!isObject(document)) return [];
  return list(document.Statement)
    .filter(isObject)
    .map((s) => ({
      owner,
      kind,
      Sid: typeof s.Sid === 'string' ? s.Sid : undefined,
      Effect: s.Effect as Statement['Effect'],
      actions: list(s.Action).map(String),
      resources: list(s.Resource),
      Principal: s.Principal,
      Condition: isObject(s.Condition) ? s.Condition : undefined,
      NotAction: s.NotAction,
      NotResource: s.NotResource,
    }));
}

/** Every statement of every role, managed/inline policy and resource policy in the template. */
export function allStatements(t: Template): Statement[] {
  return Object.entries(t.Resources).flatMap(([id, r]): Statement[] => {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::IAM::Role':
        return [
          ...statementsOf(id, 'trust', p.AssumeRolePolicyDocument),
          ...list(p.Policies).flatMap((policy) =>
            statementsOf(id, 'identity', isObject(policy) ? policy.PolicyDocument : undefined),
          ),
        ];
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        return statementsOf(id, 'identity', p.PolicyDocument);
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SQS::QueuePolicy':
      case 'AWS::SNS::TopicPolicy':
        return statementsOf(id, 'resource', p.PolicyDocument);
      default:
        return [];
    }
  });
}

export const roleStatements = (t: Template, role: string): Statement[] =>
  allStatements(t).filter((s) => s.owner === role && s.kind === 'identity');

/** A wildcard action grants more than its author can list: `*`, `s3:*`, `s3:Get*`. */
export const isWildcardAction = (action: string): boolean => action.includes('*') || action.includes('?');

/** Logical ids a policy resource value points at (GetAtt/Ref/Sub targets), for "on what" assertions. */
export const resourceText = (value: Json): string => JSON.stringify(value);
