import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownEventTypes } from '#shared/contract/event-contract.js';
import { columnsArgument, curatedColumns, curatedPartitionColumns } from '#shared/contract/table-schemas.js';
import { attributeSchemas } from '../../schemas/registry.js';

const schemasDir = path.resolve(import.meta.dirname, '../../schemas');

describe('schema registry', () => {
  it('registers exactly the schema files on disk', () => {
    const onDisk = readdirSync(schemasDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(path.join(schemasDir, d.name)).map((f) => `${d.name}/${f}`))
      .sort();
    const registered = attributeSchemas.map((s) => `${s.eventType}/v${s.version}.json`).sort();
    expect(registered).toEqual(onDisk);
  });

  it('gives every schema an $id naming its type and version, and a 2020-12 dialect', () => {
    for (const { eventType, version } of attributeSchemas) {
      const file = JSON.parse(readFileSync(path.join(schemasDir, eventType, `v${version}.json`), 'utf8'));
      expect(file.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(file.$id).toBe(`https://eventlake.dev/schemas/${eventType}/v${version}.json`);
    }
  });

  it('ships the sample domain', () => {
    expect(knownEventTypes().sort()).toEqual(
      ['add_to_cart', 'app_error', 'page_view', 'purchase', 'session_start', 'telemetry_reading'].sort(),
    );
  });
});

describe('curated column list', () => {
  it('has unique names and never repeats a partition column', () => {
    const names = [...curatedColumns, ...curatedPartitionColumns].map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('travels as a name:type argument in order', () => {
    expect(columnsArgument(curatedColumns.slice(0, 3))).toBe('event_id:string,event_version:int,event_time:timestamp');
  });
});

describe('isoMillis', () => {
  it('formats exactly like Date#toISOString', async () => {
    const { isoMillis } = await import('#shared/contract/event-time.js');
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 3e14 }), (ms) => isoMillis(ms) === new Date(ms).toISOString()),
      {
        numRuns: 20_000,
      },
    );
  });

  it('formats instants that cluster in time (its cached minute and day) exactly like Date#toISOString', async () => {
    const { isoMillis } = await import('#shared/contract/event-time.js');
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253402300799999 - 200_000 }),
        fc.array(fc.integer({ min: 0, max: 180_000 }), { minLength: 1, maxLength: 50 }),
        (base, offsets) =>
          offsets.every((offset) => isoMillis(base + offset) === new Date(base + offset).toISOString()),
      ),
      { numRuns: 2_000 },
    );
  });
});
