// Every Ref, Fn::GetAtt and Fn::Sub target exists (with the attribute its type has), every condition
// used is defined, and resources form no dependency cycle — checked on the packaged stack.
import { describe, expect, it } from 'vitest';
import { cfnSpec, hasAttribute } from './cfn-spec.js';
import { dependencyCycles, pseudoParameters, type Reference, references } from './intrinsics.js';
import type { Json, Resource } from './template.js';
import { template } from './template.js';

const spec = cfnSpec();

function brokenReferences(t: ReturnType<typeof template>): string[] {
  const parameters = new Set(Object.keys(t.Parameters ?? {}));
  const describe = (r: Reference) => `${r.kind} ${r.target}${r.attribute ? `.${r.attribute}` : ''}`;
  const check = (owner: string, r: Reference): string[] => {
    if (r.kind !== 'GetAtt' && (pseudoParameters.has(r.target) || parameters.has(r.target))) return [];
    const target = t.Resources[r.target];
    if (!target) return [`${owner}: ${describe(r)} names nothing in the template`];
    if (r.attribute && !hasAttribute(spec, target.Type, r.attribute)) {
      return [`${owner}: ${describe(r)} — ${target.Type} has no attribute ${r.attribute}`];
    }
    return [];
  };
  const owners: [string, Json | undefined][] = [
    ...Object.entries(t.Resources).map(([id, r]) => [id, r.Properties] as [string, Json | undefined]),
    ...Object.entries(t.Outputs ?? {}).map(([id, o]) => [`Outputs.${id}`, o] as [string, Json]),
  ];
  const dependsOn = Object.entries(t.Resources).flatMap(([id, r]) =>
    [r.DependsOn ?? []]
      .flat()
      .map((target): Reference => ({ kind: 'Ref', target: `${target}` }))
      .flatMap((ref) => (t.Resources[ref.target] ? [] : [`${id}: DependsOn ${ref.target} names nothing`])),
  );
  return [...owners.flatMap(([owner, value]) => references(value).flatMap((r) => check(owner, r))), ...dependsOn];
}

describe('references in the packaged template', () => {
  const t = template();

  it('resolve to existing resources, parameters or pseudo parameters, with existing attributes', () => {
    expect(brokenReferences(t)).toEqual([]);
  });

  it('use only defined conditions', () => {
    const defined = new Set(Object.keys(t.Conditions ?? {}));
    const used = [
      ...Object.values(t.Resources).flatMap((r) => (r.Condition ? [r.Condition] : [])),
      ...Array.from(JSON.stringify(t.Resources).matchAll(/"Fn::If":\["([^"]+)"/g), (m) => m[1] as string),
    ];
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((c) => !defined.has(c))).toEqual([]);
  });

  it('form no dependency cycle', () => {
    expect(dependencyCycles(t.Resources)).toEqual([]);
  });

  it('let buckets depend on queue policies, never queue policies on buckets (docs/contracts.md §2)', () => {
    for (const [bucket, policy] of [
      ['IngestBucket', 'RawObjectsQueuePolicy'],
      ['LakeBucket', 'CuratedRunsQueuePolicy'],
      ['ReportingBucket', 'ReportResultsQueuePolicy'],
    ] as const) {
      expect([t.Resources[bucket]?.DependsOn].flat()).toContain(policy);
      expect(references(t.Resources[policy]?.Properties).map((r) => r.target)).not.toContain(bucket);
    }
  });
});

describe('the reference and cycle checks', () => {
  const bucket = (properties: Resource['Properties'], dependsOn?: string): Resource => ({
    Type: 'AWS::S3::Bucket',
    Properties: properties,
    ...(dependsOn ? { DependsOn: dependsOn } : {}),
  });

  it('find a Sub placeholder, a GetAtt attribute and a DependsOn that do not exist', () => {
    const t = {
      Resources: {
        A: bucket({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub placeholders
          BucketName: { 'Fn::Sub': ['${Gone.Arn}-${B.Arn}-${Local}-${!Literal}-${AWS::Region}', { Local: 'x' }] },
        }),
        B: bucket({ BucketName: { 'Fn::GetAtt': ['A', 'Nope'] } }, 'Missing'),
      },
    };
    expect(brokenReferences(t)).toEqual([
      'A: Sub Gone.Arn names nothing in the template',
      'B: GetAtt A.Nope — AWS::S3::Bucket has no attribute Nope',
      'B: DependsOn Missing names nothing',
    ]);
  });

  it('finds a cycle through DependsOn and references', () => {
    const resources = {
      A: bucket({ BucketName: { Ref: 'B' } }),
      B: bucket({}, 'C'),
      C: bucket({ BucketName: { 'Fn::GetAtt': ['A', 'Arn'] } }),
      D: bucket({ BucketName: { Ref: 'A' } }),
    };
    expect(dependencyCycles(resources)).toEqual([['A', 'B', 'C', 'A']]);
  });
});
