// The local job reads a run's raw objects within the instance's memory limit: a few at a time, each
// with a read buffer sized for the longest line, not DuckDB's default of 16 × max_line_size (64 MiB
// per file), which failed whole runs with Out of Memory in the chaos run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { columnsArgument, curatedColumns } from '#shared/contract/table-schemas.js';
import { parseColumns } from '../../local/glue/args.js';
import { convertToParquet } from '../../local/glue/convert.js';
import { FILES_PER_READ, readLinesStatements } from '../../local/glue/validate.js';
import { objectPath } from '../../local/s3/buckets.js';
import { ingest, rawEvent, writeRawObject } from './glue-fixtures.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'eventlake-glue-mem-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const columns = parseColumns(columnsArgument(curatedColumns));

describe('reading raw objects under a memory limit', () => {
  it('converts 24 objects in a 96 MB instance, every row accounted for', async () => {
    const sources = [];
    for (let n = 0; n < 24; n++) {
      const lines = Array.from({ length: 50 }, (_, i) =>
        rawEvent(`0b1ec7${String(n).padStart(2, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}`, 'page_view'),
      );
      const key = await writeRawObject(dataDir, 'page_view', '2025-11-22', lines);
      sources.push({
        path: objectPath(dataDir, { bucket: ingest, key }),
        key,
        eventType: 'page_view',
        dt: '2025-11-22',
      });
    }
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: '96MB', threads: '2' });
    try {
      const result = await convertToParquet(instance, {
        runId: 'jr_memory',
        columns,
        sources,
        existingFiles: [],
        stagingDir: path.join(dataDir, 'staging'),
      });
      expect(result).toMatchObject({ rowsRead: 24 * 50, rowsWritten: 24 * 50, rowsQuarantined: 0 });
    } finally {
      instance.closeSync();
    }
  });

  it('reads at most FILES_PER_READ objects per statement, the first creating the table', () => {
    const sources = Array.from({ length: FILES_PER_READ * 2 + 1 }, (_, n) => ({
      path: `/raw/${n}.gz`,
      key: `events/type=page_view/dt=2025-11-22/${n}.gz`,
      eventType: 'page_view',
      dt: '2025-11-22',
    }));
    const statements = readLinesStatements('lines', columns, sources);
    expect(statements).toHaveLength(3);
    expect(statements[0]).toMatch(/^CREATE TEMP TABLE "lines" AS/);
    expect(statements.slice(1).every((s) => s.startsWith('INSERT INTO "lines"'))).toBe(true);
    expect(statements.map((s) => (s.match(/\/raw\/\d+\.gz'/g) ?? []).length / 2)).toEqual([8, 8, 1]);
  });
});
