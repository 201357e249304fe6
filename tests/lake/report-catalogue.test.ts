import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  assertReportDate,
  defaultReportsDir,
  InvalidReportDate,
  InvalidReportDefinition,
  loadReportCatalogue,
  parseReport,
  renderReportSql,
} from '#shared/reports/catalogue.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/reports');
const header = ['-- title: T', '-- description: D', '-- grain: day', '-- chart: line', '-- x: dt', '-- y: n'];
const report = (lines: string[]) => [...lines, 'SELECT 1 AS n WHERE dt = {{dt}}'].join('\n');

afterEach(() => vi.unstubAllEnvs());

describe('loadReportCatalogue', () => {
  it('parses every report of the directory, sorted by name', () => {
    const catalogue = loadReportCatalogue(fixtures);
    expect(catalogue.map((r) => r.name)).toEqual(['daily_events', 'failure_types']);
    expect(catalogue[1]).toEqual({
      name: 'failure_types',
      title: 'Failed events by failure type',
      description: 'Inputs that could not become valid events, per failure type and hour',
      grain: 'hour',
      chart: 'stacked-bar',
      x: 'hour',
      y: 'failures',
      series: 'failure_type',
      source: 'failed_events',
      sql: [
        "SELECT date_trunc('hour', received_at) AS hour, failure_type, count(*) AS failures",
        'FROM failed_events',
        'WHERE dt = {{dt}}',
        'GROUP BY 1, 2',
        'ORDER BY 1, 2',
      ].join('\n'),
    });
    expect(catalogue[0]).not.toHaveProperty('series');
  });

  it('refuses a directory without reports (a packaging mistake)', () => {
    expect(() => loadReportCatalogue(mkdtempSync(path.join(tmpdir(), 'reports-')))).toThrow(InvalidReportDefinition);
    expect(() => loadReportCatalogue('/nonexistent/reports')).toThrow(/no reports/);
  });

  it('names the broken file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'reports-'));
    writeFileSync(path.join(dir, 'broken.sql'), 'SELECT 1');
    expect(() => loadReportCatalogue(dir)).toThrow(/report broken: header misses title/);
  });
});

describe('parseReport', () => {
  it('lists every missing header key', () => {
    expect(() => parseReport('r', report(header.slice(0, 4)))).toThrow('report r: header misses x, y, source');
  });

  it.each([
    ['an unknown chart', [...header.slice(0, 3), '-- chart: donut', ...header.slice(4), '-- source: events']],
    ['an unknown source', [...header, '-- source: raw']],
  ])('refuses %s', (_, lines) => {
    expect(() => parseReport('r', report(lines))).toThrow(InvalidReportDefinition);
  });

  it('refuses a name outside [a-z0-9_] and a query without {{dt}}', () => {
    expect(() => parseReport('Daily-Events', report([...header, '-- source: events']))).toThrow(/name/);
    expect(() => parseReport('r', [...header, '-- source: events', 'SELECT 1'].join('\n'))).toThrow(/{{dt}}/);
  });

  it('ignores plain comment lines in the header and CRLF line ends', () => {
    const text = ['-- a note', ...header, '-- source: events', 'SELECT 1 WHERE dt = {{dt}}'].join('\r\n');
    expect(parseReport('r', text)).toMatchObject({ title: 'T', source: 'events', sql: 'SELECT 1 WHERE dt = {{dt}}' });
  });
});

describe('renderReportSql', () => {
  it('substitutes every {{dt}} with a quoted date literal', () => {
    const r = parseReport('r', [...header, '-- source: events', 'SELECT {{dt}} AS d WHERE dt = {{dt}}'].join('\n'));
    expect(renderReportSql(r, '2025-11-22')).toBe("SELECT '2025-11-22' AS d WHERE dt = '2025-11-22'");
  });

  it.each(["2025-11-22' OR '1'='1", '2025-11-22 ', '20251122', '2025-02-30', '2025-13-01', ''])(
    'refuses %j as a date',
    (dt) => {
      expect(() => assertReportDate(dt)).toThrow(InvalidReportDate);
    },
  );
});

describe('defaultReportsDir', () => {
  it('is reports/ under LAMBDA_TASK_ROOT in Lambda and the repository root otherwise', () => {
    const taskRoot = mkdtempSync(path.join(tmpdir(), 'eventlake-task-'));
    mkdirSync(path.join(taskRoot, 'reports'));
    writeFileSync(path.join(taskRoot, 'reports', 'a.sql'), 'SELECT 1');
    vi.stubEnv('LAMBDA_TASK_ROOT', taskRoot);
    expect(defaultReportsDir()).toBe(path.join(taskRoot, 'reports'));
    const repository = path.resolve(fixtures, '../../../../reports');
    // serverless invoke local sets LAMBDA_TASK_ROOT=/var/task, where there is no catalogue.
    vi.stubEnv('LAMBDA_TASK_ROOT', '/var/task');
    expect(defaultReportsDir()).toBe(repository);
    vi.stubEnv('LAMBDA_TASK_ROOT', '');
    expect(defaultReportsDir()).toBe(repository);
  });
});
