// User SQL in the local Athena reads the catalog's tables and nothing else: every escape attempt
// (file functions, COPY, ATTACH, INSTALL/LOAD, SET, writes) fails and leaves no file behind, and a
// direct read of a lake file is billed like a table read.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAthena, makeLocalAthena } from '../../local/athena/athena.js';
import { localBucketNames } from '../../local/s3/buckets.js';
import { makeDataDir, writeFixtureLake } from '../athena/fixture.js';

let dataDir: string;
let outside: string;
let instance: DuckDBInstance;
let athena: LocalAthena;

beforeAll(async () => {
  dataDir = makeDataDir();
  outside = makeDataDir();
  instance = await DuckDBInstance.create(':memory:');
  await writeFixtureLake(dataDir, instance);
  athena = makeLocalAthena({
    dataDir,
    instance,
    workgroup: { name: 'reports', bytesScannedCutoffPerQuery: 1_073_741_824 },
    onObjectCreated: () => {},
  });
});

afterAll(async () => {
  await athena.idle();
  instance.closeSync();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const failure = (sql: string) =>
  athena.query(sql).then(
    () => 'succeeded',
    (error: Error) => error.message,
  );

describe('sandboxed ad-hoc SQL', () => {
  it('still answers queries over the catalog tables, with bytes scanned', async () => {
    const result = await athena.query('SELECT count(*) AS n FROM events');
    expect(Number(result.rows[0]?.[0])).toBeGreaterThan(0);
    expect(result.statistics.DataScannedInBytes).toBeGreaterThan(0);
  });

  it.each([
    ["SELECT * FROM read_csv('/etc/passwd', sep = ':')", /read_csv|not available|Permission/],
    ["SELECT * FROM read_text('/etc/hostname')", /read_text|not available|Permission/],
    ["SELECT * FROM '/etc/passwd'", /Permission|disabled|does not exist/],
    ["SELECT * FROM glob('/*')", /glob|not available|Permission/],
    ["SELECT * FROM sniff_csv('/etc/passwd')", /sniff_csv|not available|Permission/],
  ])('refuses to read outside the lake: %s', async (sql, message) => {
    expect(await failure(sql)).toMatch(message);
  });

  it('refuses COPY, EXPORT, ATTACH, INSTALL, LOAD and SET, writing nothing', async () => {
    const target = path.join(outside, 'out.csv');
    const lakeTarget = path.join(dataDir, localBucketNames.lake, 'out.csv');
    const attempts = [
      `COPY (SELECT 1) TO '${target}'`,
      `COPY (SELECT 1) TO '${lakeTarget}'`,
      `EXPORT DATABASE '${outside}'`,
      `ATTACH '${path.join(outside, 'db.duckdb')}' AS other`,
      'INSTALL httpfs',
      'LOAD httpfs',
      'SET enable_external_access = true',
      'SET lock_configuration = false',
      "SET allowed_directories = ['/']",
      'CREATE TABLE t AS SELECT 1 AS a',
      "CALL enable_logging('FileSystem')",
      `PRAGMA enable_profiling = 'json'`,
    ];
    for (const sql of attempts) expect(await failure(sql), sql).toMatch(/only queries run here|locked|Permission/);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(lakeTarget)).toBe(false);
  });

  it('refuses a forbidden statement hidden after a harmless one', async () => {
    const lakeTarget = path.join(dataDir, localBucketNames.lake, 'x.csv');
    expect(await failure(`SELECT 1; COPY (SELECT 1) TO '${path.join(outside, 'x.csv')}'`)).toMatch(
      /only queries run here|Permission/,
    );
    expect(await failure(`SELECT 1; COPY (SELECT 1) TO '${lakeTarget}'`)).toMatch(/only queries run here/);
    expect(existsSync(lakeTarget)).toBe(false);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a file function inside a subquery or CTE', async () => {
    expect(
      await failure("WITH x AS (SELECT * FROM read_parquet('/nonexistent/*.parquet')) SELECT count(*) FROM x"),
    ).toMatch(/read_parquet|not available|Permission/);
  });

  it('allows table functions over values', async () => {
    const result = await athena.query('SELECT sum(range) AS s FROM range(4)');
    expect(Number(result.rows[0]?.[0])).toBe(6);
  });
});
