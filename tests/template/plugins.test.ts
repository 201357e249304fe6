// The two local serverless plugins: glue-script (content-hash script keys, upload on deploy) and
// derived-resources (per-function alarms, API URL and QuickSight manifest outputs).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { repoRoot } from './paths.js';
import { roleStatements } from './policies.js';
import { packagedCustom, props, resourcesOfType, type Template, template } from './template.js';

interface Plan {
  hash: string;
  dir: string;
  entryKey: string;
  objects: { key: string; body: Buffer }[];
  extraKeys: string[];
}
interface PutParams {
  Bucket: string;
  Key: string;
  Body: Buffer;
  ContentType: string;
}
interface GlueScriptModule {
  MISSING: string;
  planScripts(settings: {
    serviceDir: string;
    entry: string;
    deploymentPrefix: string;
    prefix: string;
    service: string;
    stage: string;
  }): Plan;
  applyToTemplate(template: Template, plan: Plan, settings: { bucketRef: unknown; job: string; role: string }): void;
  uploadScripts(putObject: (params: PutParams) => Promise<unknown>, bucket: string, plan: Plan): Promise<string[]>;
  packagedEntryKey(template: Template, job: string): string | undefined;
}
interface DerivedResourcesModule {
  reportNames(serviceDir: string): string[];
  manifestOutputs(
    reports: string[],
    settings: { bucketLogicalId: string; reportsPrefix: string },
  ): Record<string, unknown>;
}

const require = createRequire(import.meta.url);
const glueScript = require('../../infra/plugins/glue-script.cjs') as GlueScriptModule;
const derived = require('../../infra/plugins/derived-resources.cjs') as DerivedResourcesModule;

const scriptsDir = (files: Record<string, string>): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'eventlake-glue-'));
  mkdirSync(path.join(dir, 'glue'));
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, 'glue', name), body);
  return dir;
};
const settings = (serviceDir: string) => ({
  serviceDir,
  entry: 'glue/parquet_job.py',
  deploymentPrefix: 'serverless',
  prefix: 'glue-scripts/',
  service: 'eventlake',
  stage: 'dev',
});

describe('glue-script plugin', () => {
  it('keys every script under one content hash, and the hash follows the content', () => {
    const plan = glueScript.planScripts(settings(scriptsDir({ 'parquet_job.py': 'job()', 'dedupe.py': 'x = 1' })));
    expect(plan.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(plan.entryKey).toBe(`serverless/eventlake/dev/glue-scripts/${plan.hash}/parquet_job.py`);
    expect(plan.extraKeys).toEqual([`serverless/eventlake/dev/glue-scripts/${plan.hash}/dedupe.py`]);
    const edited = glueScript.planScripts(settings(scriptsDir({ 'parquet_job.py': 'job(2)', 'dedupe.py': 'x = 1' })));
    expect(edited.hash).not.toBe(plan.hash);
    const same = glueScript.planScripts(settings(scriptsDir({ 'dedupe.py': 'x = 1', 'parquet_job.py': 'job()' })));
    expect(same.hash).toBe(plan.hash);
  });

  it('uploads each script with PutObject to the deployment bucket under its planned key', async () => {
    const plan = glueScript.planScripts(settings(scriptsDir({ 'parquet_job.py': 'job()', 'dedupe.py': 'x = 1' })));
    const puts: PutParams[] = [];
    const keys = await glueScript.uploadScripts(async (params) => puts.push(params), 'deploy-bucket', plan);
    expect(puts.map((p) => [p.Bucket, p.Key, p.Body.toString(), p.ContentType])).toEqual([
      ['deploy-bucket', `${plan.dir}dedupe.py`, 'x = 1', 'text/x-python'],
      ['deploy-bucket', `${plan.dir}parquet_job.py`, 'job()', 'text/x-python'],
    ]);
    expect(keys).toEqual(puts.map((p) => p.Key));
  });

  it('packages without the script but refuses to deploy it', async () => {
    const plan = glueScript.planScripts(settings(scriptsDir({})));
    expect(plan.entryKey).toBe(`serverless/eventlake/dev/glue-scripts/${glueScript.MISSING}/parquet_job.py`);
    await expect(glueScript.uploadScripts(async () => undefined, 'b', plan)).rejects.toThrow(/does not exist/);
  });

  it('points the job at the keys and lets only its role read them', () => {
    const plan = glueScript.planScripts(settings(scriptsDir({ 'parquet_job.py': 'job()', 'dedupe.py': 'x = 1' })));
    const t = {
      Resources: {
        Job: { Type: 'AWS::Glue::Job', Properties: { Command: { Name: 'glueetl' }, DefaultArguments: {} } },
        Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyDocument: { Statement: [] } }] } },
      },
    } as unknown as Template;
    glueScript.applyToTemplate(t, plan, { bucketRef: { Ref: 'DeployBucket' }, job: 'Job', role: 'Role' });
    const job = t.Resources.Job?.Properties as { Command: { ScriptLocation: unknown }; DefaultArguments: object };
    expect(job.Command.ScriptLocation).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: 'DeployBucket' }, '/', plan.entryKey]],
    });
    expect(job.DefaultArguments).toEqual({
      '--extra-py-files': {
        'Fn::Join': [',', [{ 'Fn::Join': ['', ['s3://', { Ref: 'DeployBucket' }, '/', plan.extraKeys[0]]] }]],
      },
    });
    expect(glueScript.packagedEntryKey(t, 'Job')).toBe(plan.entryKey);
    expect(roleStatements(t, 'Role')).toMatchObject([{ Sid: 'ReadJobScripts', actions: ['s3:GetObject'] }]);
  });

  it('the packaged job runs the repository’s script by its content-hash key in the deployment bucket', () => {
    const t = template();
    const plan = glueScript.planScripts({
      serviceDir: repoRoot,
      entry: packagedCustom().stack.glueScript.entry,
      deploymentPrefix: 'serverless',
      prefix: config.prefixes.glueScripts,
      service: config.service,
      stage: 'test',
    });
    expect(props(t, 'ParquetJob').Command.ScriptLocation).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: 'ServerlessDeploymentBucket' }, '/', plan.entryKey]],
    });
    expect(plan.entryKey).toContain(`/${plan.hash}/`);
    const read = roleStatements(t, 'GlueJobRole').find((s) => s.Sid === 'ReadJobScripts');
    expect(JSON.stringify(read?.resources)).toContain(`"/","${plan.dir}","*"`);
  });
});

describe('derived-resources plugin', () => {
  const t = template();

  it('adds an Errors and a Throttles alarm on the alarm topic for every function', () => {
    const functions = resourcesOfType(t, 'AWS::Lambda::Function').map(([id]) => id);
    const alarmed = resourcesOfType(t, 'AWS::CloudWatch::Alarm')
      .filter(([, a]) => a.Properties?.Namespace === 'AWS/Lambda')
      .map(
        ([, a]) =>
          a.Properties as { MetricName: string; Dimensions: { Value: { Ref: string } }[]; AlarmActions: unknown },
      );
    for (const fn of functions) {
      const metrics = alarmed.filter((a) => a.Dimensions[0]?.Value.Ref === fn).map((a) => a.MetricName);
      expect(metrics.sort(), fn).toEqual(['Errors', 'Throttles']);
    }
    for (const a of alarmed) expect(a.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
  });

  it('outputs the API URL exactly when the REST API exists', () => {
    expect(t.Outputs?.ApiUrl !== undefined).toBe(t.Resources.ApiGatewayRestApi !== undefined);
  });

  it('outputs one QuickSight manifest URI per report SQL file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eventlake-reports-'));
    mkdirSync(path.join(dir, 'reports'));
    for (const file of ['daily_active_devices.sql', 'events_per_type.sql', 'README.md']) {
      writeFileSync(path.join(dir, 'reports', file), '');
    }
    const reports = derived.reportNames(dir);
    expect(reports).toEqual(['daily_active_devices', 'events_per_type']);
    expect(derived.manifestOutputs(reports, { bucketLogicalId: 'ReportingBucket', reportsPrefix: 'reports/' })).toEqual(
      {
        QuickSightManifestDailyActiveDevices: {
          Description: 'QuickSight S3 manifest of the daily_active_devices report',
          Value: {
            'Fn::Join': ['', ['s3://', { Ref: 'ReportingBucket' }, '/reports/daily_active_devices/manifest.json']],
          },
        },
        QuickSightManifestEventsPerType: expect.anything(),
      },
    );
    const packagedReports = derived.reportNames(repoRoot);
    const outputs = Object.keys(t.Outputs ?? {}).filter((k) => k.startsWith('QuickSightManifest'));
    expect(outputs).toHaveLength(packagedReports.length);
  });
});
