// The local catalog's tables: `events` binds from the catalog's schema file (so a query reads only
// files of its partitions, as Athena does), curated files older than the derived columns read as
// NULL there, and the raw tables carry the derived columns only where the curated table would.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { curatedColumns, rawFieldColumns } from '#shared/contract/table-schemas.js';
import { makeLocalAthena } from '../../local/athena/athena.js';
import { schemaFilePath, tableViews } from '../../local/athena/tables.js';
import { localBucketNames, objectPath } from '../../local/s3/buckets.js';
import { DAY, makeDataDir, PREVIOUS_DAY, writeFixtureLake } from './fixture.js';

let dataDir: string;
let instance: DuckDBInstance;

beforeEach(async () => {
  dataDir = makeDataDir();
  instance = await DuckDBInstance.create(':memory:');
  await writeFixtureLake(dataDir, instance);
});

afterEach(() => {
  instance.closeSync();
  rmSync(dataDir, { recursive: true, force: true });
});

const athena = (eventsSource: 'curated' | 'raw' = 'curated') =>
  makeLocalAthena({
    dataDir,
    instance,
    eventsSource,
    workgroup: { name: 'reports', bytesScannedCutoffPerQuery: 1_073_741_824 },
    onObjectCreated: () => {},
  });

const curatedFile = (eventType: string, dt: string, name = 'part-00000.parquet') =>
  objectPath(dataDir, {
    bucket: localBucketNames.lake,
    key: `${config.prefixes.curated}event_type=${eventType}/dt=${dt}/${name}`,
  });

const PURCHASES = `SELECT count(*) AS n, sum(amount) AS revenue FROM events WHERE dt = '${DAY}' AND event_type = 'purchase'`;

/** A curated file as the job wrote it before the derived columns existed. */
async function writeLegacyFile(file: string): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const connection = await instance.connect();
  const legacy = rawFieldColumns(curatedColumns)
    .map((c) => `"${c.name}"`)
    .join(', ');
  await connection.run(
    `COPY (SELECT ${legacy} FROM read_parquet('${curatedFile('purchase', DAY)}')) TO '${file}' (FORMAT parquet)`,
  );
  connection.closeSync();
}

describe('the local catalog', () => {
  it('binds events from its schema file: a query reads no file outside its partitions', async () => {
    const engine = athena();
    const before = await engine.query(PURCHASES);
    // A partition that sorts first in the glob: DuckDB would bind from its footer without the schema file.
    mkdirSync(path.dirname(curatedFile('aaa_first', PREVIOUS_DAY)), { recursive: true });
    copyFileSync(curatedFile('page_view', DAY), curatedFile('aaa_first', PREVIOUS_DAY));
    const after = await engine.query(PURCHASES);
    expect(after.rows).toEqual(before.rows);
    expect(after.statistics.DataScannedInBytes).toBe(before.statistics.DataScannedInBytes);
    const schemaFile = tableViews(dataDir, 'curated')[0]?.schemaFile as string;
    expect(schemaFile.startsWith(path.join(dataDir, '_glue', 'catalog') + path.sep)).toBe(true);
    expect(existsSync(schemaFile)).toBe(true);
  });

  it('writes the schema file again when _glue/ was wiped', async () => {
    const engine = athena();
    const first = await engine.query(PURCHASES);
    rmSync(path.join(dataDir, '_glue'), { recursive: true, force: true });
    expect((await engine.query(PURCHASES)).rows).toEqual(first.rows);
  });

  it('reads curated files written before the derived columns: NULL for what they lack', async () => {
    await writeLegacyFile(curatedFile('purchase', DAY, 'part-00000-legacy.parquet'));
    const result = await athena().query(PURCHASES);
    // Three purchases of the fixture twice (the legacy copy has no amount): the sum counts the new rows only.
    expect(result.rows).toEqual([['6', '95.4']]);
  });

  it('reads a lake of legacy files only, with every curated column', async () => {
    const legacy = curatedFile('purchase', DAY, 'part-00000-legacy.parquet');
    await writeLegacyFile(legacy);
    for (const [eventType, dt] of [
      ['purchase', DAY],
      ['purchase', PREVIOUS_DAY],
      ['page_view', DAY],
      ['page_view', PREVIOUS_DAY],
      ['session_start', DAY],
      ['page_view', '2025-08-01'],
    ]) {
      rmSync(curatedFile(eventType as string, dt as string), { force: true });
    }
    const result = await athena().query(`SELECT count(*), count(amount), count(ingestion_lag_ms) FROM events`);
    expect(result.rows).toEqual([['3', '0', '0']]);
  });

  it('gives raw_events the raw fields only, and events over raw NDJSON the derived columns too', () => {
    const [eventsOverRaw, rawEvents] = tableViews(dataDir, 'raw');
    expect(eventsOverRaw?.columns.map((c) => c.name)).toEqual(curatedColumns.map((c) => c.name));
    expect(rawEvents?.columns.map((c) => c.name)).not.toContain('amount');
    expect(rawEvents?.columns).toEqual(rawFieldColumns(curatedColumns));
  });

  it('names the schema file after the column list', () => {
    const view = { columns: curatedColumns, partitions: [{ pathName: 'event_type', name: 'event_type' }] };
    const other = { ...view, columns: curatedColumns.slice(1) };
    expect(schemaFilePath(dataDir, 'events', view)).not.toBe(schemaFilePath(dataDir, 'events', other));
    expect(schemaFilePath(dataDir, 'events', view)).toMatch(/event_type=__schema__\/schema\.parquet$/);
  });
});
