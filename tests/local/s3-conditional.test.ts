import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { updateObject } from '#shared/aws/conditional-writes.js';
import { LocalS3 } from '../../local/s3/s3.js';

let dataDir: string;
let s3: LocalS3;
const bucket = 'eventlake-local-reporting';
const ref = { bucket, key: 'reports/index.json' };
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-s3-cond-'));
  s3 = new LocalS3({ dataDir });
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

describe('LocalS3 conditional writes', () => {
  it('answers the content MD5 in quotes as the ETag, like a single-part S3 upload', async () => {
    await s3.putObject(ref, 'v1', 'application/json');
    await expect(s3.getObjectWithETag(ref)).resolves.toEqual({ body: Buffer.from('v1'), eTag: `"${md5('v1')}"` });
    await expect(s3.getObjectWithETag({ bucket, key: 'missing' })).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('If-None-Match: * creates once and then fails with PreconditionFailed, leaving the first body', async () => {
    await s3.putObject(ref, 'first', 'application/json', { ifNoneMatch: '*' });
    const second = s3.putObject(ref, 'second', 'application/json', { ifNoneMatch: '*' });
    await expect(second).rejects.toMatchObject({ name: 'PreconditionFailed', httpStatusCode: 412 });
    expect(text(await s3.getObject(ref))).toBe('first');
    expect(await readdir(path.join(dataDir, '.tmp'))).toEqual([]);
  });

  it('If-Match replaces only while the ETag is current, quoted or not', async () => {
    await s3.putObject(ref, 'v1', 'application/json');
    const { eTag } = await s3.getObjectWithETag(ref);
    await s3.putObject(ref, 'v2', 'application/json', { ifMatch: eTag });
    await expect(s3.putObject(ref, 'v3', 'application/json', { ifMatch: eTag })).rejects.toMatchObject({
      name: 'PreconditionFailed',
    });
    await s3.putObject(ref, 'v3', 'application/json', { ifMatch: md5('v2') });
    expect(text(await s3.getObject(ref))).toBe('v3');
    const missing = s3.putObject({ bucket, key: 'nope' }, 'x', 'application/json', { ifMatch: eTag });
    await expect(missing).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('answers 409 ConditionalRequestConflict while another If-Match write holds the key, and clears a stale lock', async () => {
    await s3.putObject(ref, 'v1', 'application/json');
    const { eTag } = await s3.getObjectWithETag(ref);
    const lock = path.join(dataDir, '.locks', bucket, 'reports', 'index.json.lock');
    await mkdir(path.dirname(lock), { recursive: true });
    await writeFile(lock, '999999\n');
    const conflict = { name: 'ConditionalRequestConflict', httpStatusCode: 409 };
    await expect(s3.putObject(ref, 'v2', 'application/json', { ifMatch: eTag })).rejects.toMatchObject(conflict);
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await expect(s3.putObject(ref, 'v2', 'application/json', { ifMatch: eTag })).rejects.toMatchObject(conflict);
    await s3.putObject(ref, 'v2', 'application/json', { ifMatch: eTag });
    expect(text(await s3.getObject(ref))).toBe('v2');
  });

  it('keeps every update of 40 concurrent read-modify-writes in one process', async () => {
    const writers = Array.from({ length: 40 }, (_, i) =>
      updateObject(
        ref,
        (current) => {
          const entries: string[] = current ? JSON.parse(text(current)) : [];
          return { body: JSON.stringify([...entries, `w${i}`]), result: i };
        },
        s3.ports(),
        { contentType: 'application/json', attempts: 200, baseDelayMs: 1, maxDelayMs: 10 },
      ),
    );
    const outcomes = await Promise.all(writers);
    expect(outcomes.every((o) => o.written)).toBe(true);
    const entries: string[] = JSON.parse(text(await s3.getObject(ref)));
    expect(entries.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `w${i}`).sort());
  });

  it('keeps every update when three processes race on the same key', async () => {
    const script = fileURLToPath(new URL('./fixtures/conditional-appender.ts', import.meta.url));
    const root = path.resolve(import.meta.dirname, '../..');
    const run = (name: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir, bucket, ref.key, name, '15'], {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
        });
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    const results = await Promise.all(['a', 'b', 'c'].map(run));
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0 });
    const entries: string[] = JSON.parse(text(await s3.getObject(ref)));
    const expected = ['a', 'b', 'c'].flatMap((n) => Array.from({ length: 15 }, (_, i) => `${n}-${i}`));
    expect(entries.sort()).toEqual(expected.sort());
    for (const n of ['a', 'b', 'c']) {
      const mine = entries.filter((e) => e.startsWith(`${n}-`));
      expect(new Set(mine).size).toBe(15);
    }
  }, 60_000);
});
