// infra/catalog.json (read by serverless.yml) equals what shared/contract/table-schemas.ts and the schema
// registry produce, and the Glue tables use it: raw and failed events with the projection layouts
// they are written in, curated events with catalog-managed partitions (docs/glue.md "Compaction").
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { config } from '#shared/config.js';
import { glueCatalog } from './catalog.js';
import { catalogPath } from './paths.js';
import { props, template } from './template.js';

const t = template();
const catalog = glueCatalog();
const bucket = (name: string) => ({ 'Fn::Sub': `${config.service}-test-${name}-\${AWS::AccountId}` });

describe('infra/catalog.json', () => {
  it('is up to date (regenerate: npx tsx tests/template/write-catalog.ts)', () => {
    expect(JSON.parse(readFileSync(catalogPath, 'utf8'))).toEqual(catalog);
  });

  it('keeps NDJSON instants as strings and Parquet ones as timestamps', () => {
    expect(catalog.events.columns.find((c) => c.Name === 'event_time')?.Type).toBe('timestamp');
    expect(catalog.rawEvents.columns.find((c) => c.Name === 'event_time')?.Type).toBe('string');
    expect(catalog.failedEvents.columns.some((c) => c.Type === 'timestamp')).toBe(false);
  });

  it('gives the curated table the derived columns and the raw table only the fields Firehose wrote', () => {
    const names = (columns: { Name: string }[]) => columns.map((c) => c.Name);
    expect(names(catalog.events.columns)).toEqual(expect.arrayContaining(['amount', 'currency', 'ingestion_lag_ms']));
    expect(names(catalog.rawEvents.columns)).not.toContain('amount');
    expect(names(catalog.rawEvents.columns)).not.toContain('ingestion_lag_ms');
    expect(catalog.curatedColumnsArgument).toContain('ingestion_lag_ms:bigint=millis_between:event_time:received_at');
  });
});

describe('Glue tables', () => {
  const table = (id: string) => props(t, id).TableInput;

  it('EventsTable (events): columns and partitions, managed in the catalog by the Parquet job (no projection)', () => {
    const input = table('EventsTable');
    expect(input.Name).toBe('events');
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.StorageDescriptor.Columns).toEqual(catalog.events.columns);
    expect(input.PartitionKeys).toEqual(catalog.events.partitionKeys);
    expect(input.PartitionKeys.map((c: { Name: string }) => c.Name)).toEqual(['event_type', 'dt']);
    // A compacted partition lives in its generation's folder: only a catalog partition can point there.
    expect(input.Parameters).toEqual({ classification: 'parquet' });
    expect(input.StorageDescriptor.Location).toEqual({
      'Fn::Join': ['', ['s3://', bucket(config.buckets.lake), `/${config.prefixes.curated}`]],
    });
  });

  it.each([
    [
      'RawEventsTable',
      'raw_events',
      catalog.rawEvents,
      'ingest',
      config.prefixes.events,
      'type',
      catalog.events.eventTypes,
    ],
    [
      'FailedEventsTable',
      'failed_events',
      catalog.failedEvents,
      'ingest',
      config.prefixes.failed,
      'type',
      catalog.failedEvents.failureTypes,
    ],
  ])('%s (%s): columns, partitions and projection', (id, name, columns, bucketKey, prefixValue, typeKey, values) => {
    const input = table(id);
    const name_ = config.buckets[bucketKey as keyof typeof config.buckets];
    expect(input.Name).toBe(name);
    expect(input.TableType).toBe('EXTERNAL_TABLE');
    expect(input.StorageDescriptor.Columns).toEqual(columns.columns);
    expect(input.PartitionKeys).toEqual(columns.partitionKeys);
    expect(input.PartitionKeys.map((c: { Name: string }) => c.Name)).toEqual([typeKey, 'dt']);
    expect(input.Parameters).toMatchObject({
      'projection.enabled': 'true',
      [`projection.${typeKey}.type`]: 'enum',
      [`projection.${typeKey}.values`]: values,
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
    });
    expect(input.Parameters['projection.dt.range']).toMatch(/^2024-01-01,NOW/);
    expect(input.Parameters['storage.location.template']).toEqual({
      'Fn::Join': ['', ['s3://', bucket(name_), `/${prefixValue}${typeKey}=\${${typeKey}}/dt=\${dt}/`]],
    });
    expect(input.StorageDescriptor.Location).toEqual({ 'Fn::Join': ['', ['s3://', bucket(name_), `/${prefixValue}`]] });
  });

  it('reads Parquet for events and NDJSON with the OpenX SerDe for raw and failed events', () => {
    expect(table('EventsTable').StorageDescriptor.SerdeInfo.SerializationLibrary).toBe(
      'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    );
    for (const id of ['RawEventsTable', 'FailedEventsTable']) {
      expect(table(id).StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.openx.data.jsonserde.JsonSerDe');
    }
  });
});
