// `eventlake query`: ad-hoc SQL over a small lake the real pipeline built, printed as a table with
// rows, time, bytes scanned and the Athena price; failures exit 1 with the reason on stderr.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../local/cli/query.js';
import { formatTable } from '../../local/cli/table-print.js';
import { buildLake, captureIo, tempDataDir } from './lake.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = tempDataDir();
  await buildLake(dataDir, 300);
}, 30_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('eventlake query', () => {
  it('prints the result table, rows, time, bytes scanned and the Athena price', async () => {
    const out = captureIo();
    const sql = 'SELECT event_type, count(*) AS n FROM events GROUP BY 1 ORDER BY n DESC';
    const code = await runQuery([sql, '--data-dir', dataDir], out.io);
    expect(out.stderr()).toBe('');
    expect(code).toBe(0);
    const text = out.stdout();
    expect(text.split('\n')[0]).toMatch(/^event_type\s+│\s+n$/);
    expect(text).toMatch(/^page_view\s+│\s+\d+$/m);
    const rows = Number(/^rows\s+(\d+)$/m.exec(text)?.[1]);
    expect(rows).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^time\s+\d+\.\d{3} s$/m);
    const scanned = Number(/^scanned\s+([\d,]+) bytes/m.exec(text)?.[1]?.replaceAll(',', ''));
    expect(scanned).toBeGreaterThan(0);
    // Far below 10 MB: Athena bills the per-query minimum, 10 MiB at $5/TB.
    expect(text).toMatch(/^price\s+\$0\.000052 at \$5\/TB \(billed 10,485,760 bytes: the per-query minimum\)$/m);
  });

  it('answers --json with columns, rows and statistics', async () => {
    const out = captureIo();
    const code = await runQuery(['SELECT count(*) AS n FROM failed_events', '--json', '--data-dir', dataDir], out.io);
    expect(code).toBe(0);
    const result = JSON.parse(out.stdout()) as {
      columns: { name: string }[];
      rows: string[][];
      statistics: { DataScannedInBytes: number; BilledBytes: number; CostUSD: number };
    };
    expect(result.columns.map((c) => c.name)).toEqual(['n']);
    expect(Number(result.rows[0]?.[0])).toBeGreaterThan(0);
    expect(result.statistics.DataScannedInBytes).toBeGreaterThan(0);
    expect(result.statistics.BilledBytes).toBe(10_485_760);
    expect(result.statistics.CostUSD).toBeCloseTo((10_485_760 / 1e12) * 5, 12);
  });

  it('shows at most 50 rows and cuts wide cells', async () => {
    const out = captureIo();
    const sql = "SELECT range AS n, repeat('x', 100) AS wide FROM range(60)";
    expect(await runQuery([sql, '--data-dir', dataDir], out.io)).toBe(0);
    const text = out.stdout();
    expect(text).toContain('… 10 more rows');
    expect(text).toMatch(/^rows\s+60$/m);
    expect(text).toMatch(new RegExp(`│ ${'x'.repeat(39)}…$`, 'm'));
  });

  it('exits 1 with the engine message on stderr for a SQL error', async () => {
    const out = captureIo();
    const code = await runQuery(['SELECT nope FROM events', '--data-dir', dataDir], out.io);
    expect(code).toBe(1);
    expect(out.stdout()).toBe('');
    expect(out.stderr()).toMatch(/^eventlake query: query FAILED: .*nope/s);
  });

  it('exits 1 for a missing data directory and 2 without SQL', async () => {
    const missing = captureIo();
    expect(await runQuery(['SELECT 1', '--data-dir', path.join(dataDir, 'absent')], missing.io)).toBe(1);
    expect(missing.stderr()).toContain('no data directory');
    const usage = captureIo();
    expect(await runQuery(['--data-dir', dataDir], usage.io)).toBe(2);
    expect(usage.stderr()).toContain("missing required argument 'sql'");
  });
});

describe('formatTable', () => {
  it('right-aligns numbers, shows NULL and flattens control characters', () => {
    const lines = formatTable({
      columns: [
        { name: 'name', type: 'VARCHAR' },
        { name: 'amount', type: 'DECIMAL(10,2)' },
      ],
      rows: [
        ['a\nb', '5.00'],
        [null, '123.45'],
      ],
    });
    expect(lines).toEqual(['name │ amount', '─────┼───────', 'a b  │   5.00', 'NULL │ 123.45']);
  });
});
