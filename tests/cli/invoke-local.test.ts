// `serverless invoke local` for every function, offline: each packaged bundle (the template tests'
// package, stage `test`) is loaded and its handler invoked with its events/ sample, with the
// environment invoke local would give it and no AWS credentials anywhere. Names survive the minifier
// (keepNames), so an error says what it is; a missing credential is named as such. One function
// also goes through the real `serverless invoke local`, whose bucket names must resolve offline.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagedStack } from '../template/template.js';

const root = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'eventlake-invoke-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// Shared with the template tests (one package per fingerprint of the inputs), but may be the first.
beforeAll(() => void packagedStack(), 200_000);

/** No credentials from any provider: none in the environment, no files, no instance metadata. */
const offline = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_EC2_METADATA_DISABLED: 'true',
  POWERTOOLS_METRICS_DISABLED: 'true',
};

type EnvValue = string | { 'Fn::Sub': string };

/**
 * What invoke local gives the function: its environment with each bucket's !Sub filled with the
 * account of the events/ samples (infra/invoke-local.cjs); and the events/ samples were recorded
 * on stage `dev`, so the names are that stage's (the retry λ ignores other stages' jobs).
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation placeholder, not a JS template
const ACCOUNT_ID = '${AWS::AccountId}';
const offlineValue = (value: EnvValue): string =>
  (typeof value === 'string' ? value : value['Fn::Sub'].replaceAll(ACCOUNT_ID, '123456789012'))
    .replaceAll('eventlake-test', 'eventlake-dev')
    .replaceAll('eventlake_test', 'eventlake_dev');

function invokeBundle(key: string, sample: string): Record<string, unknown> {
  const { packageDir } = packagedStack();
  const state = JSON.parse(readFileSync(path.join(packageDir, 'serverless-state.json'), 'utf8'));
  const fn = state.service.functions[key] as { name: string; handler: string };
  const logicalId = `${key[0]?.toUpperCase()}${key.slice(1)}LambdaFunction`;
  const variables = (
    packagedStack().template.Resources[logicalId]?.Properties?.Environment as { Variables?: Record<string, EnvValue> }
  )?.Variables;
  const dir = path.join(work, key);
  execFileSync('unzip', ['-qo', path.join(packageDir, `${key}.zip`), '-d', dir]);
  const environment = Object.fromEntries(Object.entries(variables ?? {}).map(([k, v]) => [k, offlineValue(v)]));
  const bundle = path.join(dir, `${fn.handler.replace(/\.[^.]+$/, '')}.cjs`);
  const run = spawnSync(
    'node',
    [path.join(import.meta.dirname, 'invoke-bundle.mjs'), bundle, path.join(root, 'events', `${sample}.json`)],
    {
      cwd: dir,
      env: { ...offline, ...environment, AWS_LAMBDA_FUNCTION_NAME: fn.name, LAMBDA_TASK_ROOT: dir },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  expect(last.startsWith('{'), `${run.stdout}\n${run.stderr}`).toBe(true);
  return JSON.parse(last);
}

describe('every function runs offline with its events/ sample', () => {
  it('health answers 200', () => {
    expect(invokeBundle('health', 'apigw-health')).toMatchObject({ result: { statusCode: 200 } });
  });

  it('ingest answers 503 and names the missing credentials', () => {
    const { result } = invokeBundle('ingest', 'apigw-post-events') as { result: { statusCode: number; body: string } };
    expect(result.statusCode).toBe(503);
    expect(JSON.parse(result.body)).toMatchObject({
      error: 'unavailable',
      message: expect.stringContaining('no AWS credentials'),
    });
  });

  it('transform answers every record', () => {
    const sample = JSON.parse(readFileSync(path.join(root, 'events/firehose-direct.json'), 'utf8'));
    const { result } = invokeBundle('transform', 'firehose-direct') as { result: { records: unknown[] } };
    expect(result.records).toHaveLength(sample.records.length);
  });

  it.each([
    ['startParquetJob', 'sqs-s3-raw-objects'],
    ['startReports', 'sqs-s3-run-marker'],
    ['publishReport', 'sqs-s3-athena-result'],
  ])('%s runs and fails the messages whose AWS call it cannot make', (key, sample) => {
    const outcome = invokeBundle(key, sample);
    expect(outcome).toHaveProperty('result.batchItemFailures');
    expect((outcome.result as { batchItemFailures: unknown[] }).batchItemFailures.length).toBeGreaterThan(0);
  });

  it('retry-failed-run reports the SDK error by its real name, not a minified one', () => {
    expect(invokeBundle('retryFailedRun', 'eventbridge-glue-job-failed')).toMatchObject({
      errorType: 'CredentialsProviderError',
      errorMessage: expect.stringContaining('Could not load credentials'),
    });
  });
});

describe('serverless invoke local', () => {
  it('resolves the bucket names offline (start-reports, which needs both) and runs the handler', () => {
    // Under the template tests' lock: serverless-esbuild builds into the one .esbuild/ of the repo.
    const lock = path.join(tmpdir(), 'eventlake-package.lock');
    const invoke = ['serverless', 'invoke', 'local', '-f', 'startReports', '-p', 'events/sqs-s3-run-marker.json'];
    const run = spawnSync('flock', [lock, 'npx', ...invoke], {
      cwd: root,
      env: { ...process.env, ...offline, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
      encoding: 'utf8',
      timeout: 170_000,
    });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(output).not.toContain('Could not resolve');
    expect(output).toMatch(/"batchItemFailures": \[\s*\{\s*"itemIdentifier"/);
  }, 180_000);
});
